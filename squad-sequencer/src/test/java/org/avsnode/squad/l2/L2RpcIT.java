package org.avsnode.squad.l2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * {@link L2Rpc#dropPool}: what a leader handed the pool and did not mine is gone. {@link
 * L2Rpc#rawTransactions}: a leader that opened on a pending block reads back that block's
 * transactions it does not hold, to carry them should the block be dropped. Against a real anvil,
 * and against a hostile node that answers with other transactions than the ones asked for.
 */
class L2RpcIT {
  private static final long CHAIN = 42070;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static byte[] transfer(Credentials from, long nonce) {
    return L2TestWallet.transfer(CHAIN, from, nonce);
  }

  @Test
  void theTransactionsOfAMinedBlockAreReadBackByHash() throws Exception {
    try (AnvilProcess anvil =
        AnvilProcess.builder().chainId(CHAIN).accounts(1).arg("--no-mining").start()) {
      L2Rpc rpc = new L2Rpc(URI.create(anvil.rpcUrl()), Duration.ofSeconds(10));
      Credentials user = Credentials.create(Keys.createEcKeyPair(RANDOM));
      L2TestWallet.fund(rpc, user);
      List<byte[]> raws = List.of(transfer(user, 0), transfer(user, 1));
      assertThat(rpc.sendRawTransactions(raws)).containsOnlyNulls();
      rpc.mine();
      L2Rpc.Head block = rpc.latest();
      assertThat(block.txHashes()).hasSize(2);

      List<byte[]> asked = new ArrayList<>(block.txHashes());
      asked.add(Hash.sha3(new byte[] {1, 2, 3})); // a transaction the node never saw
      List<byte[]> got = rpc.rawTransactions(asked);
      assertThat(got).hasSize(3);
      assertThat(got.get(0)).isEqualTo(raws.get(0));
      assertThat(got.get(1)).isEqualTo(raws.get(1));
      assertThat(got.get(2)).isNull();
    }
  }

  @Test
  void aDroppedPoolLeavesTheNextBlockEmptyAndTheTransactionsCanBeSentAgain() throws Exception {
    try (AnvilProcess anvil =
        AnvilProcess.builder()
            .chainId(CHAIN)
            .accounts(1)
            .arg("--no-mining")
            .arg("--order")
            .arg("fifo")
            .start()) {
      L2Rpc rpc = new L2Rpc(URI.create(anvil.rpcUrl()), Duration.ofSeconds(10));
      Credentials user = Credentials.create(Keys.createEcKeyPair(RANDOM));
      L2TestWallet.fund(rpc, user);
      List<byte[]> raws = List.of(transfer(user, 0), transfer(user, 1));
      assertThat(rpc.sendRawTransactions(raws)).containsOnlyNulls();

      rpc.dropPool();
      rpc.mine();
      assertThat(rpc.latest().txHashes()).as("nothing left in the pool").isEmpty();

      // a seal that sends the whole block again after the pool was emptied
      assertThat(rpc.sendRawTransactions(raws)).containsOnlyNulls();
      rpc.mine();
      assertThat(rpc.latest().txHashes())
          .containsExactly(Hash.sha3(raws.get(0)), Hash.sha3(raws.get(1)));
    }
  }

  @Test
  void anAnswerThatIsNotTheHashsTransactionIsLeftOut() throws Exception {
    Credentials user = Credentials.create(Keys.createEcKeyPair(RANDOM));
    byte[] other = transfer(user, 7);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // every id answered with the same, other, transaction; then a non-batch answer
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/",
        ex -> {
          JsonNode req = JSON.readTree(ex.getRequestBody());
          StringBuilder out = new StringBuilder();
          if (calls.getAndIncrement() == 0) {
            out.append('[');
            for (int i = 0; i < req.size(); i++) {
              out.append(i == 0 ? "" : ",")
                  .append("{\"jsonrpc\":\"2.0\",\"id\":")
                  .append(req.get(i).get("id").asLong())
                  .append(",\"result\":\"")
                  .append(i == 0 ? Numeric.toHexString(other) : "0xzz")
                  .append("\"}");
            }
            out.append(']');
          } else {
            out.append("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x\"}");
          }
          byte[] b = out.toString().getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    server.start();
    try {
      L2Rpc rpc =
          new L2Rpc(
              URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
              Duration.ofSeconds(5));
      List<byte[]> asked = List.of(Hash.sha3(transfer(user, 0)), Hash.sha3(transfer(user, 1)));
      assertThat(rpc.rawTransactions(asked)).containsExactly(null, null);
      assertThatThrownBy(() -> rpc.rawTransactions(asked))
          .isInstanceOf(L2RpcException.class)
          .hasMessageContaining("not a batch answer");
    } finally {
      server.stop(0);
    }
  }
}
