package org.avsnode.bls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.avsnode.bls.SharedVectors.hexList;
import static org.avsnode.bls.SharedVectors.hexOrNull;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** ethereum/bls12-381-tests v0.1.2: one dynamic test per vector file, all nine handlers. */
class BlsVectorsTest {

  private static Stream<DynamicTest> each(String handler, Consumer<JsonNode> check) {
    List<Path> files = SharedVectors.jsonFiles("bls/" + handler);
    return files.stream()
        .map(
            f ->
                dynamicTest(
                    handler + "/" + f.getFileName(), () -> check.accept(SharedVectors.read(f))));
  }

  @TestFactory
  Stream<DynamicTest> sign() {
    return each(
        "sign",
        v -> {
          byte[] sk = hexOrNull(v.at("/input/privkey").asText());
          byte[] msg = hexOrNull(v.at("/input/message").asText());
          JsonNode out = v.get("output");
          if (out.isNull()) {
            assertThatThrownBy(() -> BlsSecretKey.fromBytes(sk).sign(msg))
                .isInstanceOf(BlsException.class);
          } else {
            BlsSecretKey key = BlsSecretKey.fromBytes(sk);
            BlsSignature sig = key.sign(msg);
            assertThat(sig.toHex()).isEqualTo(out.asText());
            assertThat(Bls.verify(key.publicKey(), msg, sig)).isTrue();
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> verify() {
    return each(
        "verify",
        v -> {
          boolean result =
              Bls.verifyEncoded(
                  hexOrNull(v.at("/input/pubkey").asText()),
                  hexOrNull(v.at("/input/message").asText()),
                  hexOrNull(v.at("/input/signature").asText()));
          assertThat(result).isEqualTo(v.get("output").asBoolean());
        });
  }

  @TestFactory
  Stream<DynamicTest> aggregate() {
    return each(
        "aggregate",
        v -> {
          JsonNode out = v.get("output");
          List<BlsSignature> sigs = new ArrayList<>();
          v.get("input").forEach(n -> sigs.add(BlsSignature.fromHex(n.asText())));
          if (out.isNull()) {
            assertThatThrownBy(() -> BlsSignature.aggregate(sigs)).isInstanceOf(BlsException.class);
          } else {
            assertThat(BlsSignature.aggregate(sigs).toHex()).isEqualTo(out.asText());
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> fastAggregateVerify() {
    return each(
        "fast_aggregate_verify",
        v -> {
          boolean result =
              Bls.fastAggregateVerifyEncoded(
                  hexList(v.at("/input/pubkeys")),
                  hexOrNull(v.at("/input/message").asText()),
                  hexOrNull(v.at("/input/signature").asText()));
          assertThat(result).isEqualTo(v.get("output").asBoolean());
        });
  }

  @TestFactory
  Stream<DynamicTest> aggregateVerify() {
    return each(
        "aggregate_verify",
        v -> {
          boolean result =
              Bls.aggregateVerifyEncoded(
                  hexList(v.at("/input/pubkeys")),
                  hexList(v.at("/input/messages")),
                  hexOrNull(v.at("/input/signature").asText()));
          assertThat(result).isEqualTo(v.get("output").asBoolean());
        });
  }

  @TestFactory
  Stream<DynamicTest> batchVerify() {
    return each(
        "batch_verify",
        v -> {
          List<byte[]> pks = hexList(v.at("/input/pubkeys"));
          List<byte[]> msgs = hexList(v.at("/input/messages"));
          List<byte[]> sigs = hexList(v.at("/input/signatures"));
          boolean expected = v.get("output").asBoolean();
          assertThat(Bls.batchVerifyEncoded(pks, msgs, sigs)).isEqualTo(expected);
          // The batch answer must agree with verifying every set on its own.
          boolean each = true;
          for (int i = 0; i < pks.size(); i++) {
            each &= Bls.verifyEncoded(pks.get(i), msgs.get(i), sigs.get(i));
          }
          assertThat(each).isEqualTo(expected);
        });
  }

  @TestFactory
  Stream<DynamicTest> deserializationG1() {
    return each(
        "deserialization_G1",
        v -> {
          byte[] in = hexOrNull(v.at("/input/pubkey").asText());
          boolean expected = v.get("output").asBoolean();
          assertThat(BlsPublicKey.isValidG1Point(in)).isEqualTo(expected);
          // KeyValidate (fromBytes) accepts exactly the valid points minus the identity.
          boolean identity = expected && in[0] == (byte) 0xc0;
          boolean keyOk;
          try {
            assertThat(BlsPublicKey.fromBytes(in).toBytes()).isEqualTo(in);
            keyOk = true;
          } catch (BlsException e) {
            keyOk = false;
          }
          assertThat(keyOk).isEqualTo(expected && !identity);
        });
  }

  @TestFactory
  Stream<DynamicTest> deserializationG2() {
    return each(
        "deserialization_G2",
        v -> {
          byte[] in = hexOrNull(v.at("/input/signature").asText());
          boolean ok;
          try {
            BlsSignature sig = BlsSignature.fromBytes(in);
            assertThat(sig.toBytes()).isEqualTo(in);
            ok = true;
          } catch (BlsException e) {
            ok = false;
          }
          assertThat(ok).isEqualTo(v.get("output").asBoolean());
        });
  }

  @TestFactory
  Stream<DynamicTest> hashToG2() {
    byte[] dst =
        "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_".getBytes(StandardCharsets.US_ASCII);
    return each(
        "hash_to_G2",
        v -> {
          byte[] msg = v.at("/input/msg").asText().getBytes(StandardCharsets.US_ASCII);
          assertThat(Hex.toHex(Bls.hashToG2Eip2537(msg, dst)))
              .isEqualTo(HashToCurveVectorsTest.eipG2(v.get("output")));
        });
  }
}
