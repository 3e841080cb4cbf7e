// Generates web3j bindings for every <Name>.abi/<Name>.bin pair in a directory.
// Run by the Maven build (exec-maven-plugin) in single-file source mode:
//   java -cp <test classpath with org.web3j:codegen> GenerateBindings.java <solcOut> <destDir> <package>
// Regenerates only when an ABI or binary is newer than the last run's stamp.

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.web3j.codegen.SolidityFunctionWrapperGenerator;

public class GenerateBindings {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: GenerateBindings <solcOutDir> <destDir> <package>");
      System.exit(2);
    }
    File in = new File(args[0]);
    File dest = new File(args[1]);
    String pkg = args[2];
    File[] abis = in.listFiles((d, n) -> n.endsWith(".abi"));
    if (abis == null || abis.length == 0) {
      System.err.println("GenerateBindings: no .abi files in " + in);
      System.exit(1);
    }
    Arrays.sort(abis);
    Path stamp = dest.toPath().resolve(".bindings.stamp");
    long newest = 0;
    for (File abi : abis) {
      newest = Math.max(newest, abi.lastModified());
      newest = Math.max(newest, binOf(abi).lastModified());
    }
    if (Files.exists(stamp) && Files.getLastModifiedTime(stamp).toMillis() >= newest) {
      System.out.println("GenerateBindings: bindings up to date");
      return;
    }
    Path pkgDir = dest.toPath().resolve(pkg.replace('.', '/'));
    if (Files.exists(pkgDir)) {
      try (var s = Files.walk(pkgDir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(dest.toPath());
    // web3j prints "Generating <class> ... File written to ..." per contract: kept out of the
    // build's output unless a generation fails
    java.io.PrintStream console = System.out;
    java.io.ByteArrayOutputStream chatter = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(chatter, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (File abi : abis) {
        String name = abi.getName().substring(0, abi.getName().length() - 4);
        new SolidityFunctionWrapperGenerator(binOf(abi), abi, dest, name, pkg, true, false, 20)
            .generate();
      }
    } catch (Exception | Error e) {
      console.print(chatter.toString(java.nio.charset.StandardCharsets.UTF_8));
      throw e;
    } finally {
      System.setOut(console);
    }
    Files.writeString(stamp, Long.toString(newest));
    System.out.println("GenerateBindings: " + abis.length + " bindings -> " + pkgDir);
  }

  private static File binOf(File abi) {
    String n = abi.getName();
    return new File(abi.getParentFile(), n.substring(0, n.length() - 4) + ".bin");
  }
}
