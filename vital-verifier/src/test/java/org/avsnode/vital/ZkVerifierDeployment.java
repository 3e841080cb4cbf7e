package org.avsnode.vital;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.toolchain.ZkProver;

/** Deploys the Groth16 verifier {@code zk/build.sh} generated from anvil's first account. */
final class ZkVerifierDeployment {
  private ZkVerifierDeployment() {}

  /** The verifier's address; throws when the deployment does not succeed within 10 s. */
  static String deploy(L1Client l1, Path zkArtifacts) throws InterruptedException {
    String from = ((List<?>) l1.rawCall("eth_accounts", List.of())).get(0).toString();
    String tx =
        (String)
            l1.rawCall(
                "eth_sendTransaction",
                List.of(
                    Map.of(
                        "from",
                        from,
                        "data",
                        "0x" + ZkProver.verifierBytecode(zkArtifacts),
                        "gas",
                        "0x2dc6c0")));
    Map<?, ?> receipt = null;
    for (int i = 0; i < 100 && receipt == null; i++) {
      receipt = (Map<?, ?>) l1.rawCall("eth_getTransactionReceipt", List.of(tx));
      if (receipt == null) {
        Thread.sleep(100);
      }
    }
    if (receipt == null || !"0x1".equals(String.valueOf(receipt.get("status")))) {
      throw new IllegalStateException("the verifier's deployment failed: " + receipt);
    }
    return receipt.get("contractAddress").toString();
  }
}
