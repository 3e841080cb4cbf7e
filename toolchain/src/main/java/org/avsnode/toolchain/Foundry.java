package org.avsnode.toolchain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the pinned devnet tools that the build installs under {@code toolchain/node_modules}.
 *
 * <p>Search order for a tool: the system property {@code avs.<tool>.path}, the environment variable
 * {@code AVS_<TOOL>_PATH}, then {@code toolchain/node_modules/...} under the repository root
 * (system property {@code avs.repo.root}, environment variable {@code AVS_REPO_ROOT}, or any parent
 * of the working directory or of this class's code location), then {@code PATH}.
 */
public final class Foundry {

  /** A tool from the pinned Foundry release. */
  public enum Tool {
    ANVIL,
    FORGE,
    CAST;

    String binaryName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String PLATFORM = "linux-amd64";

  private Foundry() {}

  /** The path of the tool's binary; throws with a message naming every place searched. */
  public static Path locate(Tool tool) {
    String name = tool.binaryName();
    List<String> searched = new ArrayList<>();
    Optional<Path> explicit = explicitPath("avs." + name + ".path", "AVS_" + tool.name() + "_PATH");
    if (explicit.isPresent()) {
      Path p = explicit.get();
      if (Files.isExecutable(p)) {
        return p;
      }
      throw new ToolchainException(name + " configured at " + p + " is not an executable file");
    }
    String relative =
        "toolchain/node_modules/@foundry-rs/" + name + "-" + PLATFORM + "/bin/" + name;
    for (Path root : candidateRoots()) {
      Path p = root.resolve(relative);
      searched.add(p.toString());
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String pathEnv = System.getenv("PATH");
    if (pathEnv != null) {
      for (String dir : pathEnv.split(java.io.File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path p = Paths.get(dir, name);
        if (Files.isExecutable(p) && !Files.isDirectory(p)) {
          return p;
        }
      }
      searched.add("$PATH");
    }
    throw new ToolchainException(
        name
            + " not found (looked in "
            + String.join(", ", searched)
            + "). Run `mvn -pl toolchain generate-resources` to install the pinned toolchain, or"
            + " set AVS_"
            + tool.name()
            + "_PATH.");
  }

  /** The directory of the npm {@code solc} package (solc-js). */
  public static Path solcJsDir() {
    Optional<Path> explicit = explicitPath("avs.solcjs.dir", "AVS_SOLCJS_DIR");
    if (explicit.isPresent()) {
      return explicit.get();
    }
    for (Path root : candidateRoots()) {
      Path p = root.resolve("toolchain/node_modules/solc");
      if (Files.isRegularFile(p.resolve("package.json"))) {
        return p;
      }
    }
    throw new ToolchainException(
        "solc-js not found under toolchain/node_modules; run `mvn -pl toolchain generate-resources`");
  }

  /** The repository root, if it can be found from the properties or the working directory. */
  public static Optional<Path> repositoryRoot() {
    for (Path root : candidateRoots()) {
      if (Files.isRegularFile(root.resolve("toolchain/package.json"))) {
        return Optional.of(root);
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> explicitPath(String property, String env) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(Paths.get(v).toAbsolutePath());
  }

  private static List<Path> candidateRoots() {
    List<Path> roots = new ArrayList<>();
    explicitPath("avs.repo.root", "AVS_REPO_ROOT").ifPresent(roots::add);
    addAncestors(roots, Paths.get("").toAbsolutePath());
    try {
      var src = Foundry.class.getProtectionDomain().getCodeSource();
      if (src != null && src.getLocation() != null) {
        addAncestors(roots, Paths.get(src.getLocation().toURI()).toAbsolutePath());
      }
    } catch (java.net.URISyntaxException | SecurityException | IllegalArgumentException e) {
      // no code location: the other candidates remain
    }
    return roots;
  }

  private static void addAncestors(List<Path> roots, Path start) {
    for (Path p = start; p != null; p = p.getParent()) {
      if (!roots.contains(p)) {
        roots.add(p);
      }
    }
  }
}
