package org.avsnode.certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SignerBitmapTest {
  @Test
  void leastSignificantBitFirst() {
    SignerBitmap b = SignerBitmap.of(10, List.of(0, 3, 9));
    assertThat(b.toBytes()).containsExactly(0x09, 0x02);
    assertThat(b.signers()).containsExactly(0, 3, 9);
    assertThat(b.signerCount()).isEqualTo(3);
    assertThat(b.isSigner(3)).isTrue();
    assertThat(b.isSigner(4)).isFalse();
    assertThat(SignerBitmap.fromBytes(new byte[] {0x09, 0x02}, 10)).isEqualTo(b);
  }

  @Test
  void lengthIsCeilOfNOverEight() {
    assertThat(SignerBitmap.byteLength(1)).isEqualTo(1);
    assertThat(SignerBitmap.byteLength(8)).isEqualTo(1);
    assertThat(SignerBitmap.byteLength(9)).isEqualTo(2);
    assertThat(SignerBitmap.byteLength(64)).isEqualTo(8);
    assertThatThrownBy(() -> SignerBitmap.fromBytes(new byte[2], 8))
        .hasMessageContaining("need exactly 1");
    assertThatThrownBy(() -> SignerBitmap.fromBytes(new byte[] {0, 0x04}, 10))
        .hasMessageContaining("bit 10 is set");
    assertThatThrownBy(() -> SignerBitmap.of(4, List.of(4)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
