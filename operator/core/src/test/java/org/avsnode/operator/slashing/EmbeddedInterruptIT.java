package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread that records finality attestations and preconfirmations in the embedded database is
 * interrupted over and over (as a duty's executor is when the duty stops, or Jetty's threads when
 * the server stops), while a bystander (another duty's thread, another key) records too. Every
 * request of both is answered, the writer keeps its interrupts, and what was recorded is enforced
 * afterwards and after a reopen. Until 2026-12-07 an interrupt reached H2 in the caller's thread:
 * inside a write it closed H2's file (a {@code FileChannel}: the database closed for every thread,
 * each request meanwhile refused with "Writing to … failed"), inside one of H2's waits it left a
 * transaction half-open (the bystander's next insert failed with "An old transaction with the same
 * id is still open"), and inside the preconfirmation journal's write it closed the journal (every
 * later preconfirmation refused until a restart).
 */
class EmbeddedInterruptIT {
  private static final byte[] KEY = SlashingProtectionRulesTest.KEY;
  private static final byte[] OTHER_KEY = SlashingProtectionRulesTest.OTHER_KEY;

  @Test
  void interruptsOfOneWriterLeaveTheDatabaseWorkingForTheOthers(@TempDir Path tmp)
      throws Exception {
    SlashingDomain d = SlashingProtectionRulesTest.DOMAIN;
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    List<Long> allowedHeights = new ArrayList<>();
    List<Long> allowedSlots = new ArrayList<>();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger kept = new AtomicInteger();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    try (EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(tmp, d)) {
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                for (long i = 1; !stop.get(); i++) {
                  try {
                    if (db.checkAndRecord(KEY, new SigningIntent.Finality(1, i, digest(i, 1)))
                        .isAllowed()) {
                      synchronized (allowedHeights) {
                        allowedHeights.add(i);
                      }
                    }
                    if (db.checkAndRecord(
                            KEY, new SigningIntent.Preconf(2, i, digest(i, 3), digest(i, 4)))
                        .isAllowed()) {
                      synchronized (allowedSlots) {
                        allowedSlots.add(i);
                      }
                    }
                  } catch (SlashingProtectionException e) {
                    // this request's answer lost to the interrupt
                    if (failed.getAndIncrement() == 0) {
                      System.out.println("first failed request: " + e.getMessage());
                    }
                  } catch (RuntimeException | Error e) {
                    unexpected.compareAndSet(null, e);
                    return;
                  }
                  if (Thread.interrupted()) {
                    kept.incrementAndGet(); // the caller keeps its interrupt
                  }
                }
              },
              "interrupted-writer");
      // a bystander: another duty's thread on another key, never interrupted, which must not
      // notice the interrupts
      AtomicInteger bystanderRecorded = new AtomicInteger();
      AtomicReference<Throwable> bystanderFailure = new AtomicReference<>();
      Thread bystander =
          new Thread(
              () -> {
                for (long i = 1; !stop.get(); i++) {
                  try {
                    if (!db.checkAndRecord(
                            OTHER_KEY, new SigningIntent.Finality(5, i, digest(i, 7)))
                        .isAllowed()) {
                      throw new IllegalStateException("refused at height " + i);
                    }
                    bystanderRecorded.incrementAndGet();
                  } catch (RuntimeException | Error e) {
                    bystanderFailure.compareAndSet(null, e);
                  }
                }
              },
              "bystander");
      writer.start();
      bystander.start();
      long end = System.nanoTime() + 3_000_000_000L;
      int interrupts = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(0, rnd.nextInt(999_999));
        writer.interrupt();
        interrupts++;
      }
      stop.set(true);
      writer.join(30_000);
      bystander.join(30_000);
      assertThat(writer.isAlive()).isFalse();
      assertThat(bystander.isAlive()).isFalse();
      if (bystanderFailure.get() != null) {
        bystanderFailure.get().printStackTrace(System.out);
      }
      assertThat(bystanderFailure.get())
          .as("the bystander's first failure (seed %d)", seed)
          .isNull();
      assertThat(bystanderRecorded.get()).as("the bystander's records").isGreaterThan(20);
      assertThat(unexpected.get()).as("seed %d", seed).isNull();
      // the interrupted writer's requests are answered all the same, and it sees its interrupts
      assertThat(failed.get()).as("the writer's failed requests (seed %d)", seed).isZero();
      assertThat(kept.get()).as("interrupts the writer saw").isPositive();
      System.out.printf(
          "interrupts: %d sent (seed %d); %d attestations and %d preconfirmations recorded, %d"
              + " requests failed; the bystander recorded %d%n",
          interrupts,
          seed,
          allowedHeights.size(),
          allowedSlots.size(),
          failed.get(),
          bystanderRecorded.get());
      assertThat(allowedHeights).as("attestations recorded").hasSizeGreaterThan(20);
      assertThat(allowedSlots).as("preconfirmations recorded").hasSizeGreaterThan(20);

      // another thread, afterwards: the database records and refuses as before
      assertWorking(db, allowedHeights, allowedSlots);
    }
    // and so does the database reopened
    try (EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(tmp, d)) {
      assertWorking(db, allowedHeights, allowedSlots);
    }
    // the file is H2's usual one: a node of before 2026-12-07 (plain file access) reads it
    try (java.sql.Connection c =
            new org.h2.Driver()
                .connect(
                    "jdbc:h2:file:" + tmp.resolve(EmbeddedSlashingProtection.DB_NAME),
                    new java.util.Properties());
        java.sql.ResultSet rs =
            c.createStatement().executeQuery("SELECT COUNT(*) FROM finality_attestation")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(allowedHeights.size() + 1L);
    }
  }

  private static void assertWorking(
      EmbeddedSlashingProtection db, List<Long> allowedHeights, List<Long> allowedSlots) {
    long fresh = 1_000_000 + allowedHeights.size();
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(1, fresh, digest(fresh, 1))))
        .extracting(Decision::isAllowed)
        .isEqualTo(true);
    assertThat(
            db.checkAndRecord(
                    KEY, new SigningIntent.Preconf(2, fresh, digest(fresh, 3), digest(fresh, 4)))
                .isAllowed())
        .isTrue();
    for (long h : allowedHeights) {
      assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(1, h, digest(h, 2))).reason())
          .as("another attestation at recorded height %d", h)
          .isEqualTo(RefusalReason.DOUBLE_SIGN);
    }
    for (long s : allowedSlots) {
      // the same preconfirmation again is a harmless repeat: it was recorded
      assertThat(
              db.checkAndRecord(KEY, new SigningIntent.Preconf(2, s, digest(s, 3), digest(s, 4))))
          .as("preconfirmation of slot %d", s)
          .isEqualTo(Decision.allowedRepeat());
    }
  }

  private static byte[] digest(long i, int variant) {
    byte[] b = new byte[32];
    for (int k = 0; k < 8; k++) {
      b[k] = (byte) (i >>> (8 * k));
    }
    b[31] = (byte) variant;
    b[30] = 1;
    return b;
  }
}
