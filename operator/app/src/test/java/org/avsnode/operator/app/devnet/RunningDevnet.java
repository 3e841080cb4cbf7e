package org.avsnode.operator.app.devnet;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An in-process devnet that several tests of one class share: started in a temporary directory
 * (stopped again if the start fails), its console kept, everything stopped and deleted by {@link
 * #close()}.
 */
final class RunningDevnet implements AutoCloseable {
  final Path dir;
  final Devnet devnet;
  private final StringWriter console = new StringWriter();

  RunningDevnet(String name, Function<Path, DevnetOptions> options) throws Exception {
    dir = Files.createTempDirectory(name);
    devnet =
        new Devnet(
            options.apply(dir.resolve("devnet")), new Progress(new PrintWriter(console, true)));
    try {
      devnet.start();
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /** What the devnet printed so far. */
  String console() {
    return console.toString();
  }

  @Override
  public void close() throws IOException {
    devnet.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
