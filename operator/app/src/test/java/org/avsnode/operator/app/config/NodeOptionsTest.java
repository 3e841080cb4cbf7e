package org.avsnode.operator.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.avsnode.operator.app.OperatorCommand;
import org.avsnode.operator.node.NodeSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The configuration precedence (flag > environment > config file > default) and its errors, through
 * a command that uses {@link NodeOptions} the way {@code operator run} does. The environment is
 * always a map: the real process environment never leaks in.
 */
class NodeOptionsTest {
  @TempDir Path dir;
  private Path deployment;
  private Path keystore;
  private Path ecdsa;
  private Path password;

  /** Stands in for {@code operator run}: obtains the NodeSettings and keeps it. */
  @Command(name = "show-config", defaultValueProvider = ConfigDefaultProvider.class)
  static final class ShowConfig implements Callable<Integer> {
    @Mixin NodeOptions node;
    NodeSettings config;

    @Override
    public Integer call() {
      config = node.toNodeSettings();
      return 0;
    }
  }

  private record Run(int code, String out, String err, NodeSettings config) {
    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  private Run run(Map<String, String> env, String... args) {
    CommandLine cl = OperatorCommand.commandLine();
    ShowConfig show = new ShowConfig();
    cl.addSubcommand(show);
    ConfigSupport.useEnvironment(cl, env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] full = new String[args.length + 1];
    full[0] = "show-config";
    System.arraycopy(args, 0, full, 1, args.length);
    int code = cl.execute(full);
    return new Run(code, out.toString(), err.toString(), show.config);
  }

  private Path yaml(String text) throws Exception {
    Path f = Files.createTempFile(dir, "node", ".yaml");
    Files.writeString(f, text);
    return f;
  }

  /** The settings every valid configuration needs, as YAML lines. */
  private String base() {
    return "l1-rpc-url: http://127.0.0.1:8545\n"
        + "deployment-file: "
        + deployment
        + "\n"
        + "bls-keystore-file: "
        + keystore
        + "\n"
        + "bls-password-file: "
        + password
        + "\n"
        + "ecdsa-keystore-file: "
        + ecdsa
        + "\n"
        + "ecdsa-password-file: "
        + password
        + "\n";
  }

  @BeforeEach
  void files() throws Exception {
    deployment = Files.writeString(dir.resolve("deployment.json"), "{}");
    keystore = Files.writeString(dir.resolve("bls.json"), "{}");
    ecdsa = Files.writeString(dir.resolve("ecdsa.json"), "{}");
    password = Files.writeString(dir.resolve("bls.pass"), "x");
  }

  @Test
  void anEmptyEnvironmentVariableIsAnErrorNotTheDefault() throws Exception {
    Path cfg = yaml(base());
    Run r = run(Map.of("AVS_DATA_PATH", ""), "--config-file", cfg.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("AVS_DATA_PATH is set but empty");
  }

  @Test
  void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws Exception {
    Path cfg = yaml(base() + "http-port: 9100\ndata-path: " + dir.resolve("from-yaml") + "\n");
    Map<String, String> env =
        Map.of("AVS_HTTP_PORT", "9200", "AVS_DATA_PATH", dir.resolve("from-env").toString());

    Run flag = run(env, "--config-file", cfg.toString(), "--http-port", "9300");
    assertThat(flag.code()).as(flag.err()).isZero();
    assertThat(flag.config().http().port()).isEqualTo(9300);
    assertThat(flag.config().dataPath()).isEqualTo(dir.resolve("from-env"));

    Run fromEnv = run(env, "--config-file", cfg.toString());
    assertThat(fromEnv.config().http().port()).isEqualTo(9200);

    Run fromYaml = run(Map.of(), "--config-file", cfg.toString());
    assertThat(fromYaml.config().http().port()).isEqualTo(9100);
    assertThat(fromYaml.config().dataPath()).isEqualTo(dir.resolve("from-yaml"));

    Run fromDefault = run(Map.of(), "--config-file", yaml(base()).toString());
    assertThat(fromDefault.config().http().port()).isEqualTo(9000);
    assertThat(fromDefault.config().http().host()).isEqualTo("127.0.0.1");
    assertThat(fromDefault.config().l1Confirmations()).isEqualTo(2);
    assertThat(fromDefault.config().duties()).containsExactly("mach");
    assertThat(fromDefault.config().metricsEnabled()).isFalse();
    assertThat(fromDefault.config().dataPath())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".avs-operator"));
    assertThat(fromDefault.config().slashingProtectionEmbedded()).isTrue();
  }

  @Test
  void everyKindOfValueComesFromEachSource() throws Exception {
    Path cfg =
        yaml(
            base()
                + "duties: [mach, vital]\n"
                + "metrics-enabled: true\n"
                + "l1-chain-id: 31337\n"
                + "confirmations: 5\n"
                + "http-host: 0.0.0.0\n"
                + "slashing-protection-db-url: jdbc:postgresql://db:5432/avs\n");
    NodeSettings c = run(Map.of(), "--config-file", cfg.toString()).config();
    assertThat(c.duties()).containsExactly("mach", "vital");
    assertThat(c.metricsEnabled()).isTrue();
    assertThat(c.l1ChainId()).hasValue(31337);
    assertThat(c.l1Confirmations()).isEqualTo(5);
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.slashingProtectionDbUrl()).isEqualTo("jdbc:postgresql://db:5432/avs");

    Map<String, String> env = new HashMap<>();
    env.put("AVS_DUTIES", "squad");
    env.put("AVS_METRICS_ENABLED", "false");
    env.put("AVS_CONFIG_FILE", cfg.toString()); // the file itself can come from the environment
    NodeSettings e = run(env).config();
    assertThat(e.duties()).containsExactly("squad");
    assertThat(e.metricsEnabled()).isFalse();
    assertThat(e.l1Confirmations()).isEqualTo(5);

    NodeSettings f = run(env, "--duties", "vital,mach", "--metrics-enabled").config();
    assertThat(f.duties()).containsExactly("vital", "mach");
    assertThat(f.metricsEnabled()).isTrue();
  }

  @Test
  void anUnknownKeyIsOneLineWithASuggestion() throws Exception {
    Path cfg = yaml(base() + "data-pth: /var/lib/avs\n");
    Run r = run(Map.of(), "--config-file", cfg.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "error: config file " + cfg + ": unknown key 'data-pth' (did you mean 'data-path'?)");
    assertThat(r.config()).isNull();
  }

  @Test
  void anUnknownKeyIsFoundEvenWhenEveryOptionIsAFlag() throws Exception {
    Path cfg = yaml("zzz-unrelated: 1\n");
    Run r =
        run(
            Map.of(),
            "--config-file",
            cfg.toString(),
            "--l1-rpc-url",
            "http://x:1",
            "--deployment-file",
            deployment.toString(),
            "--duties",
            "");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("unknown key 'zzz-unrelated'").doesNotContain("did you mean");
  }

  @Test
  void badValuesNameTheirSourceInOneLine() throws Exception {
    Path cfg = yaml(base() + "http-port: lots\n");
    Run yamlBad = run(Map.of(), "--config-file", cfg.toString());
    assertThat(yamlBad.code()).isEqualTo(2);
    assertThat(yamlBad.errLines())
        .containsExactly(
            "error: config file " + cfg + ": http-port has a bad value: 'lots' is not an int");

    Run envBad = run(Map.of("AVS_CONFIRMATIONS", "two"), "--config-file", yaml(base()).toString());
    assertThat(envBad.code()).isEqualTo(2);
    assertThat(envBad.errLines())
        .containsExactly(
            "error: environment variable AVS_CONFIRMATIONS has a bad value: 'two' is not an int");

    Path range = yaml(base() + "http-port: 70000\n");
    Run rangeBad = run(Map.of(), "--config-file", range.toString());
    assertThat(rangeBad.code()).isEqualTo(2);
    assertThat(rangeBad.errLines())
        .containsExactly(
            "error: config file "
                + range
                + ": http-port must be between 0 and 65535 (0 = any free port), got 70000");

    Run flagBad = run(Map.of(), "--config-file", yaml(base()).toString(), "--http-port", "-5");
    assertThat(flagBad.code()).isEqualTo(2);
    assertThat(flagBad.errLines())
        .containsExactly(
            "error: --http-port must be between 0 and 65535 (0 = any free port), got -5");

    Run boolBad = run(Map.of("AVS_METRICS_ENABLED", "yes"), "--config-file", cfg.toString());
    assertThat(boolBad.code()).isEqualTo(2);
    assertThat(boolBad.errLines()).hasSize(1);
  }

  @Test
  void brokenOrMissingFilesAreOneLine() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    Run r = run(Map.of(), "--config-file", missing.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("error: config file " + missing + ": not found");

    for (String text :
        List.of(
            "http-port: [1, 2\n",
            "- a\n- b\n",
            "http-port:\n  nested: 1\n",
            "http-port: 1\nhttp-port: 2\n",
            "data-path:\n",
            "config-file: other.yaml\n")) {
      Path cfg = yaml(text);
      Run bad = run(Map.of(), "--config-file", cfg.toString());
      assertThat(bad.code()).as(text).isEqualTo(2);
      assertThat(bad.errLines()).as(text + bad.err()).hasSize(1);
      assertThat(bad.err()).as(text).startsWith("error: config file " + cfg + ": ");
    }
  }

  @Test
  void anEmptyFileIsAllDefaults() throws Exception {
    Run r =
        run(
            Map.of("AVS_L1_RPC_URL", "ws://127.0.0.1:8546", "AVS_DUTIES", ","),
            "--config-file",
            yaml("# nothing yet\n").toString(),
            "--deployment-file",
            deployment.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.config().duties()).isEmpty();
    assertThat(r.config().blsKey()).isEmpty();
  }

  @Test
  void requiredSettingsAndMissingFilesSayWhatToDo() throws Exception {
    Run noUrl = run(Map.of(), "--deployment-file", deployment.toString());
    assertThat(noUrl.code()).isEqualTo(2);
    assertThat(noUrl.errLines())
        .containsExactly(
            "error: --l1-rpc-url is required (flag, environment variable AVS_L1_RPC_URL or"
                + " 'l1-rpc-url' in the config file)");

    Path gone = dir.resolve("gone.json");
    Run noFile =
        run(
            Map.of("AVS_DEPLOYMENT_FILE", gone.toString()),
            "--config-file",
            yaml("l1-rpc-url: http://127.0.0.1:8545\n").toString(),
            "--duties=");
    assertThat(noFile.code()).isEqualTo(2);
    assertThat(noFile.errLines())
        .containsExactly(
            "error: environment variable AVS_DEPLOYMENT_FILE " + gone + " does not exist");

    Run noKey =
        run(
            Map.of(),
            "--l1-rpc-url",
            "http://127.0.0.1:8545",
            "--deployment-file",
            deployment.toString());
    assertThat(noKey.code()).isEqualTo(2);
    assertThat(noKey.err()).contains("--bls-keystore-file is required to perform duties mach");
  }

  @Test
  void valuesAreTakenAsWrittenNotAsYaml11Guesses() throws Exception {
    Path cfg = yaml(base() + "http-host: 010\nduties: \"mach\"\nl1-chain-id: '1'\n");
    Run r = run(Map.of(), "--config-file", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.config().http().host()).isEqualTo("010");
    assertThat(r.config().l1ChainId()).hasValue(1);
  }
}
