package org.avsnode.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: what an operator installs. The Debian package is installed with {@code dpkg -i} on
 * this machine, run as its service user and removed again; the tarball is unpacked and run; both
 * match their SHA-256 files; NOTICE names every bundled jar.
 */
class PackagingIT {
  private static final String PACKAGE = "avs-operator";

  private record Result(int code, String out) {}

  private static Result exec(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
      return new Result(p.exitValue(), out);
    } finally {
      p.destroyForcibly();
    }
  }

  private static Result exec(String... cmd) throws Exception {
    return exec(List.of(cmd));
  }

  private static boolean onPath(String tool) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> Files.isExecutable(Paths.get(d, tool)));
  }

  private static Path artifact(String property) {
    Path p = Paths.get(System.getProperty(property, "missing"));
    assertThat(p).as(property).isRegularFile();
    return p;
  }

  /** The file's SHA-256 checksum file says what sha256sum computes, for this file name. */
  private static void checksumMatches(Path file) throws Exception {
    Path sum = file.resolveSibling(file.getFileName() + ".sha256");
    assertThat(sum).isRegularFile();
    String hex =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    assertThat(Files.readString(sum).strip()).isEqualTo(hex + "  " + file.getFileName());
    if (onPath("sha256sum")) {
      Result check =
          exec(
              "sh",
              "-c",
              "cd '" + file.getParent() + "' && sha256sum -c '" + sum.getFileName() + "'");
      assertThat(check.code()).as(check.out()).isZero();
    }
  }

  @Test
  void debianPackageInstallsRunsAsItsUserAndRemovesCleanly() throws Exception {
    Path deb = artifact("avs.operator.deb");
    checksumMatches(deb);
    assumeTrue(onPath("dpkg"), "dpkg is not installed: not a Debian machine");
    assumeTrue("root".equals(System.getProperty("user.name")), "installing a package needs root");
    assumeTrue(
        exec("dpkg", "-s", PACKAGE).code() != 0,
        "avs-operator is installed on this machine already: not touching it");
    boolean userBefore = exec("getent", "passwd", PACKAGE).code() == 0;
    boolean stateBefore = Files.exists(Paths.get("/var/lib/avs-operator"));
    try {
      Result install = exec("dpkg", "-i", deb.toString());
      assertThat(install.code()).as(install.out()).isZero();

      Result version = exec("/usr/bin/avs-operator", "--version");
      assertThat(version.code()).as(version.out()).isZero();
      assertThat(version.out()).startsWith("operator 0.1.0");

      // the service's user exists, cannot log in, owns the state directory alone
      Result user = exec("getent", "passwd", PACKAGE);
      assertThat(user.out()).contains("/var/lib/avs-operator").contains("nologin");
      Path state = Paths.get("/var/lib/avs-operator");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
          .isEqualTo("rwx------");
      assertThat(Files.getOwner(state).getName()).isEqualTo(PACKAGE);
      Path config = Paths.get("/etc/avs-operator/node.yaml");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
          .isEqualTo("rw-r-----");

      // the unit's command, as the unit's user: the packaged config parses, and the node stops
      // with the one-line configuration error (exit 2) that RestartPreventExitStatus names
      Result service =
          exec(
              "runuser",
              "-u",
              PACKAGE,
              "--",
              "/usr/bin/avs-operator",
              "run",
              "--config-file",
              config.toString());
      assertThat(service.code()).as(service.out()).isEqualTo(2);
      assertThat(service.out().strip())
          .startsWith("error: --l1-rpc-url is required")
          .doesNotContain("\n");

      Path unit = Paths.get("/lib/systemd/system/avs-operator.service");
      String unitText = Files.readString(unit);
      assertThat(unitText)
          .contains("User=avs-operator")
          .contains("ExecStart=/usr/bin/avs-operator run --config-file /etc/avs-operator/node.yaml")
          .contains("NoNewPrivileges=yes")
          .contains("ProtectSystem=strict")
          .contains("CapabilityBoundingSet=\n");
      if (onPath("systemd-analyze")) {
        Result verify = exec("systemd-analyze", "verify", unit.toString());
        assertThat(verify.code()).as(verify.out()).isZero();
        assertThat(verify.out()).as("systemd-analyze verify says nothing").isBlank();
      }

      Result purge = exec("dpkg", "--purge", PACKAGE);
      assertThat(purge.code()).as(purge.out()).isZero();
      assertThat(Paths.get("/usr/bin/avs-operator")).doesNotExist();
      assertThat(unit).doesNotExist();
      assertThat(Paths.get("/etc/avs-operator")).doesNotExist();
      assertThat(state).as("the node's state survives a purge").isDirectory();
    } finally {
      if (exec("dpkg", "-s", PACKAGE).code() == 0) {
        exec("dpkg", "--purge", PACKAGE);
      }
      if (!stateBefore) {
        exec("rm", "-rf", "/var/lib/avs-operator");
      }
      if (!userBefore && exec("getent", "passwd", PACKAGE).code() == 0) {
        exec("userdel", PACKAGE);
        exec(
            "sh",
            "-c",
            "getent group " + PACKAGE + " >/dev/null && groupdel " + PACKAGE + " || true");
      }
    }
  }

  @Test
  void tarballHoldsTheLicenceAndRunsWhereItIsUnpacked(@TempDir Path dir) throws Exception {
    Path tarball = artifact("avs.operator.tarball");
    checksumMatches(tarball);
    Result untar = exec("tar", "-xzf", tarball.toString(), "-C", dir.toString());
    assertThat(untar.code()).as(untar.out()).isZero();
    Path home;
    try (Stream<Path> s = Files.list(dir)) {
      home = s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    assertThat(home.getFileName().toString()).startsWith("avs-operator-0.1.0");
    assertThat(home.resolve("LICENSE")).content().contains("Apache License");
    assertThat(home.resolve("NOTICE")).isRegularFile();
    assertThat(home.resolve("share/avs-operator.service")).isRegularFile();
    Result version = exec(home.resolve("bin/operator").toString(), "--version");
    assertThat(version.code()).as(version.out()).isZero();
    assertThat(version.out()).startsWith("operator 0.1.0");
  }

  @Test
  void noticeNamesEveryBundledThirdPartyJar() throws IOException {
    Path lib = Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"), "lib");
    String notice = Files.readString(Paths.get("../../NOTICE"));
    Set<String> missing = new TreeSet<>();
    List<String> jars = new ArrayList<>();
    try (Stream<Path> s = Files.list(lib)) {
      jars = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    assertThat(jars).hasSizeGreaterThan(20);
    for (String jar : jars) {
      if (jar.contains("-SNAPSHOT")) {
        continue; // this project's own modules
      }
      // name-<version>[-classifier].jar
      String artifact =
          jar.replaceFirst("-\\d[^-]*(-[a-z]+)?\\.jar$", "").replaceFirst("\\.jar$", "");
      String version =
          jar.substring(artifact.length())
              .replaceFirst("^-", "")
              .replaceFirst("(-native)?\\.jar$", "");
      if (!notice.matches(
              "(?s).*(?<![\\w.-])" + java.util.regex.Pattern.quote(artifact) + "(?![\\w.-]).*")
          || !notice.contains(version)) {
        missing.add(jar);
      }
    }
    assertThat(missing).as("bundled jars that NOTICE does not name with their version").isEmpty();
  }
}
