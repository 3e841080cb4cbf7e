package org.avsnode.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorRegistrarTest {
  private static final BigInteger WAD = RestakingContracts.WAD;

  @Test
  void targetMagnitudeIsTheWadShareOfTheMaxMagnitude() {
    assertThat(OperatorRegistrar.targetMagnitude(WAD, WAD)).isEqualTo(WAD);
    assertThat(OperatorRegistrar.targetMagnitude(WAD, WAD.divide(BigInteger.TWO)))
        .isEqualTo(WAD.divide(BigInteger.TWO));
    // after a 10% slash the max magnitude is 0.9e18: 100% is all of it, never more
    BigInteger slashed = new BigInteger("900000000000000000");
    assertThat(OperatorRegistrar.targetMagnitude(slashed, WAD)).isEqualTo(slashed);
    assertThat(OperatorRegistrar.targetMagnitude(slashed, WAD.divide(BigInteger.TWO)))
        .isEqualTo(new BigInteger("450000000000000000"));
    assertThat(OperatorRegistrar.targetMagnitude(BigInteger.ZERO, WAD)).isZero();
    assertThat(OperatorRegistrar.targetMagnitude(BigInteger.valueOf(3), BigInteger.ONE)).isZero();
  }

  @Test
  void percentOfMax() {
    assertThat(OperatorRegistrar.percent(WAD, WAD)).isEqualTo("100.00% of max");
    assertThat(OperatorRegistrar.percent(WAD.divide(BigInteger.valueOf(3)), WAD))
        .isEqualTo("33.33% of max");
    assertThat(OperatorRegistrar.percent(BigInteger.ZERO, BigInteger.ZERO)).isEqualTo("0%");
  }

  @Test
  void requestValidation() {
    var ok = new OperatorRegistrar.Request(List.of(0L, 3L), "", 0, WAD);
    assertThat(ok.operatorSetIds()).containsExactly(0L, 3L);
    assertThatThrownBy(() -> new OperatorRegistrar.Request(List.of(), "", 0, WAD))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OperatorRegistrar.Request(List.of(1L, 1L), "", 0, WAD))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> new OperatorRegistrar.Request(List.of(1L << 32), "", 0, WAD))
        .hasMessageContaining("uint32");
    assertThatThrownBy(() -> new OperatorRegistrar.Request(Arrays.asList((Long) null), "", 0, WAD))
        .hasMessageContaining("uint32");
    assertThatThrownBy(() -> new OperatorRegistrar.Request(List.of(0L), "", -1, WAD))
        .hasMessageContaining("allocation delay");
    assertThatThrownBy(
            () -> new OperatorRegistrar.Request(List.of(0L), "", 0, WAD.add(BigInteger.ONE)))
        .hasMessageContaining("1e18");
    assertThatThrownBy(
            () -> new OperatorRegistrar.Request(List.of(0L), "", 0, BigInteger.ONE.negate()))
        .hasMessageContaining("1e18");
  }

  @Test
  void compressedKeyOfGarbageIsNamedNotThrown() {
    assertThat(OperatorRegistrar.compressed(new byte[128])).startsWith("(undecodable key");
  }
}
