package org.avsnode.operator.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.FormatException;
import org.avsnode.operator.net.MalformedMessageException;
import org.avsnode.operator.net.SignedMessageJson;
import org.avsnode.operator.slashing.InterchangeFormatException;
import org.avsnode.operator.slashing.InterchangeJson;

/**
 * Fuzz targets for what the node parses from others: certificate JSON, signed-message JSON (the
 * attestation intake), interchange JSON (whole and streamed) and BLS point encodings. Each may
 * reject its input only with its own typed exception; anything else (a crash, an unchecked
 * exception, a hang) is a finding.
 *
 * <p>Under {@code mvn verify} Jazzer replays the committed inputs in {@code
 * src/test/resources/org/avsnode/operator/fuzz/DecoderFuzzTestInputs/<target>/} (seeds and every
 * crash found). To fuzz one target: {@code JAZZER_FUZZ=1 mvn -B -o -pl operator/core test
 * -Dtest=DecoderFuzzTest#certificateJson} (see docs/reliability.md).
 */
class DecoderFuzzTest {

  @FuzzTest(maxDuration = "10m")
  void certificateJson(byte[] input) {
    String json = new String(input, StandardCharsets.UTF_8);
    try {
      Certificate c = Certificate.fromJson(json);
      // what parses must write back and parse to the same certificate
      if (!Certificate.fromJson(c.toJson()).equals(c)) {
        throw new AssertionError("round trip changed the certificate");
      }
    } catch (FormatException expected) {
      // a typed rejection
    }
  }

  @FuzzTest(maxDuration = "10m")
  void signedMessageJson(byte[] input) {
    try {
      SignedMessageJson.decode(input, FinalityAttestation.class);
    } catch (MalformedMessageException expected) {
      // a typed rejection
    }
    try {
      SignedMessageJson.decode(input, OutputVerdict.class);
    } catch (MalformedMessageException expected) {
      // a typed rejection
    }
  }

  @FuzzTest(maxDuration = "10m")
  void interchangeJson(byte[] input) {
    try {
      InterchangeJson.read(new ByteArrayInputStream(input));
    } catch (InterchangeFormatException expected) {
      // a typed rejection
    }
    try {
      InterchangeJson.stream(new ByteArrayInputStream(input), 3, piece -> {});
    } catch (InterchangeFormatException expected) {
      // a typed rejection
    }
  }

  @FuzzTest(maxDuration = "10m")
  void blsPoints(byte[] input) {
    try {
      BlsPublicKey.fromBytes(input);
    } catch (BlsException expected) {
      // a typed rejection
    }
    try {
      BlsSignature.fromBytes(input);
    } catch (BlsException expected) {
      // a typed rejection
    }
    try {
      BlsPublicKey.fromEip2537(input);
    } catch (BlsException expected) {
      // a typed rejection
    }
    try {
      BlsSignature.fromEip2537(input);
    } catch (BlsException expected) {
      // a typed rejection
    }
  }
}
