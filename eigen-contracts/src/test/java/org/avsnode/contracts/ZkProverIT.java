package org.avsnode.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.avsnode.toolchain.ToolchainException;
import org.avsnode.toolchain.ZkProver;
import org.junit.jupiter.api.Test;

/**
 * The devnet prover process (node zk/scripts/prove.js, snarkjs) on the artifacts of zk/build.sh.
 */
class ZkProverIT {

  private static byte[] word(int hi, int lo) {
    byte[] b = new byte[32];
    b[0] = (byte) hi;
    b[31] = (byte) lo;
    return b;
  }

  @Test
  void provesWithLimbPublicInputsAndStopsWithItsOwner() throws Exception {
    Path zk = ZkProver.artifactsDir();
    ProcessHandle handle;
    try (ZkProver prover = ZkProver.start(zk, Duration.ofSeconds(120))) {
      handle = ProcessHandle.of(prover.pid()).orElseThrow();
      ZkProver.Proof p = prover.prove(word(1, 2), word(3, 4), word(5, 6), word(7, 8));
      assertThat(p.verifiedByProver()).isTrue();
      BigInteger hi = BigInteger.ONE.shiftLeft(120);
      assertThat(p.publicInputs())
          .containsExactly(
              hi,
              BigInteger.TWO,
              hi.multiply(BigInteger.valueOf(3)),
              BigInteger.valueOf(4),
              hi.multiply(BigInteger.valueOf(5)),
              BigInteger.valueOf(6),
              hi.multiply(BigInteger.valueOf(7)),
              BigInteger.valueOf(8));
      // a second request on the same process
      ZkProver.Proof q = prover.prove(word(1, 2), word(3, 4), word(5, 6), word(7, 9));
      assertThat(q.publicInputs().get(7)).isEqualTo(BigInteger.valueOf(9));
      assertThat(List.of(q.a())).isNotEqualTo(List.of(p.a()));
      assertThatThrownBy(() -> prover.prove(new byte[31], word(0, 0), word(0, 0), word(0, 0)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(handle.isAlive()).isTrue();
    }
    handle.onExit().get(10, TimeUnit.SECONDS);
    assertThat(handle.isAlive()).isFalse();
  }

  @Test
  void aProverThatDiesIsReportedNotWaitedFor() throws Exception {
    try (ZkProver prover = ZkProver.start(ZkProver.artifactsDir(), Duration.ofSeconds(60))) {
      ProcessHandle h = ProcessHandle.of(prover.pid()).orElseThrow();
      h.destroyForcibly();
      h.onExit().get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> prover.prove(word(0, 1), word(0, 2), word(0, 3), word(0, 4)))
          .isInstanceOf(ToolchainException.class);
    }
  }
}
