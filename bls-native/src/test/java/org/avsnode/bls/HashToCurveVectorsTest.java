package org.avsnode.bls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** RFC 9380 vectors: G2 RO hash_to_curve and both expand_message_xmd files, one test per vector. */
class HashToCurveVectorsTest {

  /** "0x<c0>,0x<c1>" pairs of x and y as the 256-byte EIP-2537 G2 layout, in hex. */
  static String eipG2(JsonNode point) {
    StringBuilder sb = new StringBuilder();
    for (String coord : new String[] {"x", "y"}) {
      for (String part : point.get(coord).asText().split(",")) {
        String h = part.trim().replaceFirst("^0x", "");
        sb.append("0".repeat(128 - h.length())).append(h);
      }
    }
    return sb.toString();
  }

  @TestFactory
  Stream<DynamicTest> hashToG2RandomOracle() {
    JsonNode suite =
        SharedVectors.read(
            SharedVectors.dir("hash_to_curve").resolve("BLS12381G2_XMD_SHA-256_SSWU_RO_.json"));
    byte[] dst = suite.get("dst").asText().getBytes(StandardCharsets.US_ASCII);
    List<DynamicTest> tests = new ArrayList<>();
    int i = 0;
    for (JsonNode v : suite.get("vectors")) {
      String msg = v.get("msg").asText();
      tests.add(
          dynamicTest(
              "G2 RO #" + i++ + " msg=" + abbreviate(msg),
              () ->
                  assertThat(
                          Hex.toHex(
                              Bls.hashToG2Eip2537(msg.getBytes(StandardCharsets.US_ASCII), dst)))
                      .isEqualTo(eipG2(v.get("P")))));
    }
    assertThat(tests).hasSize(5);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> expandMessageXmd() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String file :
        new String[] {"expand_message_xmd_SHA256_38.json", "expand_message_xmd_SHA256_256.json"}) {
      JsonNode suite = SharedVectors.read(SharedVectors.dir("hash_to_curve").resolve(file));
      byte[] dst = suite.get("DST").asText().getBytes(StandardCharsets.US_ASCII);
      int i = 0;
      for (JsonNode v : suite.get("tests")) {
        String msg = v.get("msg").asText();
        int len = Integer.decode(v.get("len_in_bytes").asText());
        tests.add(
            dynamicTest(
                file + " #" + i++ + " len=" + len + " msg=" + abbreviate(msg),
                () ->
                    assertThat(
                            Hex.toHex(
                                Bls.expandMessageXmd(
                                    msg.getBytes(StandardCharsets.US_ASCII), dst, len)))
                        .isEqualTo(v.get("uniform_bytes").asText())));
      }
    }
    assertThat(tests).hasSize(20);
    return tests.stream();
  }

  private static String abbreviate(String s) {
    return s.length() > 20 ? s.substring(0, 20) + "..(" + s.length() + ")" : "\"" + s + "\"";
  }
}
