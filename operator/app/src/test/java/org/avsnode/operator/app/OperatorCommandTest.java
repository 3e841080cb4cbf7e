package org.avsnode.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OperatorCommandTest {

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cl = OperatorCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheSubcommands() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: operator").contains("devnet").contains("--version");
  }

  @Test
  void versionPrintsTheBuildVersion() {
    Result r = run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("operator 0.1.0");
    assertThat(OperatorCommand.version()).doesNotContain("${");
  }

  @Test
  void noSubcommandOrAnUnknownOptionIsAUsageErrorWithExitCode2() {
    assertThat(run().code()).isEqualTo(2);
    Result r = run("--no-such-option");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--no-such-option");
    assertThat(run("devnet", "--duration", "soon").code()).isEqualTo(2);
  }

  @Test
  void squadFlagsThatCannotWorkAreUserErrors() {
    Result fault = run("devnet", "--no-squad", "--break-preconf");
    assertThat(fault.code()).isEqualTo(2);
    assertThat(fault.err()).contains("--break-preconf needs SQUAD").doesNotContain("Exception");
    // the censor is a hook inside an in-process node
    Result censor = run("devnet", "--operator-processes", "--censor");
    assertThat(censor.code()).isEqualTo(2);
    assertThat(censor.err()).contains("--censor needs the operators in this JVM");
  }

  @Test
  void devnetHelpDescribesItsOptions() {
    Result r = run("devnet", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--duration").contains("--data-dir").contains("Ctrl-C");
  }

  @Test
  void durationsAcceptTheUsualForms() {
    DurationConverter c = new DurationConverter();
    assertThat(c.convert("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.convert("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.convert("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(c.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(c.convert("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> c.convert("-5s"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
    assertThatThrownBy(() -> c.convert("s"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
    // a bare number is seconds (devnet --duration 60)
    assertThat(c.convert("60")).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.convert(" 12 ")).isEqualTo(Duration.ofSeconds(12));
    assertThatThrownBy(() -> c.convert("12x"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
    assertThatThrownBy(() -> c.convert("1.5"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
  }
}
