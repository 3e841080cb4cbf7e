package org.avsnode.bls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many threads signing and verifying at once give the single-threaded answers. */
class ConcurrencyTest {

  @Test
  void parallelSignAndVerifyMatchSequential() throws Exception {
    Fixtures.Set set = Fixtures.sameMessage(16, 99);
    int threads = 8;
    int rounds = 8;
    List<BlsSignature> expected = set.signatures();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  boolean ok = true;
                  for (int r = 0; r < rounds; r++) {
                    int i = (offset + r) % set.secretKeys().size();
                    BlsSignature s = set.secretKeys().get(i).sign(set.message());
                    ok &= s.equals(expected.get(i));
                    ok &= Bls.verify(set.publicKeys().get(i), set.message(), expected.get(i));
                    // a key that did not sign must fail, concurrently too
                    int j = (i + 1) % set.secretKeys().size();
                    ok &= !Bls.verify(set.publicKeys().get(j), set.message(), expected.get(i));
                    ok &=
                        Bls.fastAggregateVerify(
                            set.publicKeys(), set.message(), BlsSignature.aggregate(expected));
                  }
                  return ok;
                }));
      }
      start.countDown();
      for (Future<Boolean> f : results) {
        assertThat(f.get(2, TimeUnit.MINUTES)).isTrue();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
  }
}
