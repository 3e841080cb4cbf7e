package org.avsnode.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.contracts.bindings.VerifierVariants;
import org.avsnode.contracts.deploy.Chain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.request.Transaction;

/**
 * Issue 13's verification variants, measured: the certificate check of AvsRegistry (v0, measured by
 * {@link AvsSystemIT}) against two other layouts of the operator table ({@code
 * VerifierVariants.sol}), each by {@code eth_estimateGas} of its view call, at 50 and 200 operators
 * and 0, 1, 10, 25 and 50 non-signers. Real keys and signatures: a variant that accepted a wrong
 * key or signature would be measuring nothing, so each is also shown to refuse both.
 */
class VerificationVariantsIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static ChainFixture chain;
  private static Credentials deployer;
  private static VerifierVariants variants;
  private static final Map<String, String> GAS = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    chain = new ChainFixture();
    deployer = chain.newAccount();
    variants =
        VerifierVariants.deploy(
                chain.web3j,
                chain.tm(deployer),
                Chain.gasProvider(chain.web3j, BigInteger.valueOf(29_000_000)))
            .send();
  }

  @AfterAll
  static void stop() throws Exception {
    if (!GAS.isEmpty()) {
      GasResults.write(
          GAS,
          Path.of("target", "benchmarks", "gas-variants.json"),
          "benchmarks/run gas (mvn -B -o -pl eigen-contracts verify"
              + " -Dit.test=VerificationVariantsIT)");
    }
    if (chain != null) {
      chain.close();
    }
  }

  private static BigInteger estimate(String data) throws Exception {
    var r =
        chain
            .web3j
            .ethEstimateGas(
                Transaction.createEthCallTransaction(
                    deployer.getAddress(), variants.getContractAddress(), data))
            .send();
    if (r.hasError()) {
      return null;
    }
    return r.getAmountUsed();
  }

  @Test
  void variantsAt50And200Operators() throws Exception {
    int[] sizes = {50, 200};
    int[][] nonSignerCounts = {{0, 1, 10, 25}, {0, 1, 10, 25, 50}};
    for (int s = 0; s < sizes.length; s++) {
      int n = sizes[s];
      long epoch = s + 1;
      List<BlsSecretKey> keys = new ArrayList<>();
      List<byte[]> pubkeys = new ArrayList<>();
      List<BigInteger> stakes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        BlsSecretKey k = BlsSecretKey.random(RANDOM);
        keys.add(k);
        pubkeys.add(k.publicKey().toEip2537());
        stakes.add(BigInteger.valueOf(32_000_000_000L + i));
      }
      var loaded = variants.load(BigInteger.valueOf(epoch), pubkeys, stakes).send();
      assertThat(loaded.isStatusOK()).isTrue();
      for (int k : nonSignerCounts[s]) {
        TreeSet<Integer> ns = new TreeSet<>();
        for (int i = 0; i < k; i++) {
          ns.add(i * (n / k));
        }
        byte[] digest = new byte[32];
        RANDOM.nextBytes(digest);
        List<BlsSignature> sigs = new ArrayList<>();
        byte[] nsKeys = new byte[128 * k];
        int j = 0;
        List<BigInteger> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (ns.contains(i)) {
            System.arraycopy(pubkeys.get(i), 0, nsKeys, 128 * j++, 128);
            idx.add(BigInteger.valueOf(i));
          } else {
            sigs.add(keys.get(i).sign(digest));
          }
        }
        byte[] sig = BlsSignature.aggregate(sigs).toEip2537();
        BigInteger e = BigInteger.valueOf(epoch);
        BigInteger v1 =
            estimate(variants.verifyV1(digest, e, idx, nsKeys, sig).encodeFunctionCall());
        BigInteger v2 = estimate(variants.verifyV2(digest, e, idx, sig).encodeFunctionCall());
        assertThat(v1).as("v1 accepts a good certificate (%d of %d)", k, n).isNotNull();
        assertThat(v2).as("v2 accepts a good certificate (%d of %d)", k, n).isNotNull();
        GAS.put(
            "v1 verify (eth_estimateGas), " + n + " operators, " + k + " non-signers",
            v1.toString());
        GAS.put(
            "v2 verify (eth_estimateGas), " + n + " operators, " + k + " non-signers",
            v2.toString());
        // the same certificate with another signature is refused, by both
        byte[] other = BlsSignature.aggregate(List.of(keys.get(n - 1).sign(digest))).toEip2537();
        assertThat(estimate(variants.verifyV1(digest, e, idx, nsKeys, other).encodeFunctionCall()))
            .isNull();
        assertThat(estimate(variants.verifyV2(digest, e, idx, other).encodeFunctionCall()))
            .isNull();
        if (k > 0) {
          // v1: a non-signer key that is not the one stored is refused
          byte[] wrong = nsKeys.clone();
          System.arraycopy(pubkeys.get(n - 1), 0, wrong, 0, 128);
          assertThat(estimate(variants.verifyV1(digest, e, idx, wrong, sig).encodeFunctionCall()))
              .isNull();
        }
      }
    }
    System.out.println(GAS);
    Path committed = Path.of("..", "benchmarks", "results", "gas-variants.json");
    assertThat(committed).as("committed variant results").exists();
    assertThat(GasResults.regressions(committed, GAS, 0.05))
        .as("variant gas more than 5%% above %s", committed)
        .isEmpty();
  }
}
