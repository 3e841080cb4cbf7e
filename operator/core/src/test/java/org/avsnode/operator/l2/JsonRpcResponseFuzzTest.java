package org.avsnode.operator.l2;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target for the answers of an L2 node (hostile or broken): the JSON-RPC envelope and the
 * block it carries. Only {@link L2Exception} may come out. {@code JAZZER_FUZZ=1 mvn -B -o -pl
 * operator/core test -Dtest=JsonRpcResponseFuzzTest} fuzzes it.
 */
class JsonRpcResponseFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void jsonRpcResponse(byte[] input) {
    try {
      L2Client.blockOf(L2Client.resultOf("eth_getBlockByNumber", input, "fuzz"), 1, "fuzz");
    } catch (L2Exception expected) {
      // a typed rejection
    }
  }
}
