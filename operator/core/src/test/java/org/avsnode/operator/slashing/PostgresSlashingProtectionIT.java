package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.BlsPublicKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL backend on a real PostgreSQL server (embedded binaries, random port). */
class PostgresSlashingProtectionIT {
  static final SlashingDomain DOMAIN = SlashingProtectionRulesTest.DOMAIN;
  static final byte[] KEY = SlashingProtectionRulesTest.KEY;

  static EmbeddedPostgres pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  static String createDatabase() throws Exception {
    String name = "sp_" + Long.toHexString(System.nanoTime());
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + name + "?user=postgres";
  }

  static PostgresSlashingProtection open(String url) {
    return PostgresSlashingProtection.open(url, new Properties(), DOMAIN, 4);
  }

  static byte[] h(int v) {
    return SlashingProtectionRulesTest.h(v);
  }

  @Test
  void twoProcessesRacingWithOneKeyNeverSignConflictingContents(@TempDir Path tmp)
      throws Exception {
    String url = createDatabase();
    // migrate once up front so both workers start racing on signing, not on DDL
    PostgresSlashingProtection.open(
            url, new Properties(), ProtectedSigner.slashingDomain(SigningWorker.DOMAIN), 1)
        .close();
    BlsPublicKey pk = WorkerSupport.writeKey(tmp.resolve("key"));
    int heights = 10_000;
    Process a = null;
    Process b = null;
    try {
      a =
          WorkerSupport.start(
              tmp.resolve("a.log"),
              "pg",
              url,
              tmp.resolve("key").toString(),
              tmp.resolve("a.out").toString(),
              "0",
              String.valueOf(heights),
              "1");
      b =
          WorkerSupport.start(
              tmp.resolve("b.log"),
              "pg",
              url,
              tmp.resolve("key").toString(),
              tmp.resolve("b.out").toString(),
              "0",
              String.valueOf(heights),
              "2");
      assertThat(a.waitFor(240, TimeUnit.SECONDS)).as("worker a finished").isTrue();
      assertThat(b.waitFor(240, TimeUnit.SECONDS)).as("worker b finished").isTrue();
      assertThat(a.exitValue()).as(java.nio.file.Files.readString(tmp.resolve("a.log"))).isZero();
      assertThat(b.exitValue()).as(java.nio.file.Files.readString(tmp.resolve("b.log"))).isZero();
    } finally {
      WorkerSupport.stop(a);
      WorkerSupport.stop(b);
    }
    List<WorkerSupport.Signed> sa = WorkerSupport.read(tmp.resolve("a.out"));
    List<WorkerSupport.Signed> sb = WorkerSupport.read(tmp.resolve("b.out"));
    Map<Long, ByteBuffer> byHeight = new HashMap<>();
    int conflicts = 0;
    for (List<WorkerSupport.Signed> l : List.of(sa, sb)) {
      for (WorkerSupport.Signed s : l) {
        ByteBuffer prev = byHeight.putIfAbsent(s.height(), ByteBuffer.wrap(s.digest()));
        if (prev != null && !prev.equals(ByteBuffer.wrap(s.digest()))) {
          conflicts++;
        }
      }
    }
    assertThat(conflicts).as("conflicting signatures").isZero();
    // every height was signed by exactly one of the two (20,000 attempts, 10,000 signatures)
    assertThat(byHeight).hasSize(heights);
    assertThat(sa.size() + sb.size()).isEqualTo(heights);
    // a race needs two contenders: if one process had started after the other finished, the test
    // above would pass without testing anything
    assertThat(sa).as("signatures by worker a").isNotEmpty();
    assertThat(sb).as("signatures by worker b").isNotEmpty();
    for (WorkerSupport.Signed s : sa) {
      assertThat(s.digest())
          .isEqualTo(SigningWorker.attestation(s.height(), 1).digest(SigningWorker.DOMAIN));
    }
    for (WorkerSupport.Signed s : sb) {
      assertThat(s.digest())
          .isEqualTo(SigningWorker.attestation(s.height(), 2).digest(SigningWorker.DOMAIN));
    }
    WorkerSupport.assertAllVerify(pk, sa);
    WorkerSupport.assertAllVerify(pk, sb);
    System.out.printf(
        "race: worker a signed %d, worker b signed %d of %d heights%n",
        sa.size(), sb.size(), heights);
  }

  @Test
  void rulesHoldOnPostgres() throws Exception {
    try (PostgresSlashingProtection db = open(createDatabase())) {
      assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(1, 5, h(1))).isAllowed())
          .isTrue();
      assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(1, 5, h(2))).reason())
          .isEqualTo(RefusalReason.DOUBLE_SIGN);
      BigInteger idx = SigningIntent.UINT256_MAX;
      assertThat(
              db.checkAndRecord(KEY, new SigningIntent.Verdict(1, idx, h(3), true, h(4)))
                  .isAllowed())
          .isTrue();
      assertThat(
              db.checkAndRecord(KEY, new SigningIntent.Verdict(1, idx, h(3), false, h(5))).reason())
          .isEqualTo(RefusalReason.CONFLICTING_VERDICT);
      db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 3, h(9), h(10)));
      assertThat(
              db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 3, h(11), List.of())).reason())
          .isEqualTo(RefusalReason.MISSING_PRECONF);
      // group commit: one transaction, decided in order
      List<Decision> batch =
          db.checkAndRecordAll(
              KEY,
              List.of(
                  new SigningIntent.Preconf(1, 4, h(20), h(21)),
                  new SigningIntent.Preconf(1, 4, h(22), h(23)),
                  new SigningIntent.Proposal(1, 4, h(24), List.of(h(20))),
                  new SigningIntent.Proposal(1, 4, h(25), List.of(h(20), h(22))),
                  new SigningIntent.Finality(1, 6, h(1)),
                  new SigningIntent.Finality(1, 6, h(2))));
      assertThat(batch)
          .extracting(Decision::reason)
          .containsExactly(
              null, null, RefusalReason.MISSING_PRECONF, null, null, RefusalReason.DOUBLE_SIGN);
      assertThat(db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 4, h(26), h(27))).reason())
          .isEqualTo(RefusalReason.PRECONF_NOT_IN_PROPOSAL);
      // read only: a recorded proposal, a refused one, a pruned slot
      assertThat(db.mayHaveSigned(KEY, MessageKind.SLOT_PROPOSAL, 1, BigInteger.valueOf(4)))
          .isTrue();
      assertThat(db.mayHaveSigned(KEY, MessageKind.SLOT_PROPOSAL, 1, BigInteger.valueOf(3)))
          .isFalse();
      assertThat(db.mayHaveSigned(KEY, MessageKind.OUTPUT_VERDICT, 1, idx)).isTrue();
      db.prune(KEY, MessageKind.SLOT_PROPOSAL, 1, BigInteger.valueOf(3));
      assertThat(db.mayHaveSigned(KEY, MessageKind.SLOT_PROPOSAL, 1, BigInteger.valueOf(3)))
          .isTrue();
      assertThat(db.prune(KEY, MessageKind.FINALITY_ATTESTATION, 1, BigInteger.valueOf(5)))
          .isEqualTo(1);
      assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(1, 5, h(1))).reason())
          .isEqualTo(RefusalReason.BELOW_WATERMARK);
    }
  }

  @Test
  void exportImportIntoAFreshDatabaseGivesTheSameRefusals() throws Exception {
    Interchange exported;
    try (PostgresSlashingProtection db = open(createDatabase())) {
      for (int i = 0; i < 20; i++) {
        db.checkAndRecord(KEY, new SigningIntent.Finality(1, i, h(i)));
      }
      db.checkAndRecord(KEY, new SigningIntent.SlotAttestation(1, 4, h(70), h(71)));
      exported = InterchangeJson.read(InterchangeJson.toString(db.exportHistory()));
    }
    // into a fresh PostgreSQL database and a fresh embedded one
    try (PostgresSlashingProtection fresh = open(createDatabase())) {
      assertThat(fresh.importHistory(exported).imported()).isEqualTo(21);
      assertSameRefusals(fresh);
    }
    String mem = "pg-import-" + System.nanoTime();
    try (EmbeddedSlashingProtection fresh = EmbeddedSlashingProtection.inMemory(mem, DOMAIN)) {
      fresh.importHistory(exported);
      assertSameRefusals(fresh);
    } finally {
      EmbeddedSlashingProtection.dropInMemory(mem);
    }
  }

  private static void assertSameRefusals(SlashingProtection db) {
    for (int i = 0; i < 20; i++) {
      assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(1, i, h(i + 100))).isAllowed())
          .isFalse();
    }
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.SlotAttestation(1, 4, h(72), h(73)))
                .isAllowed())
        .isFalse();
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(1, 20, h(1))).isAllowed())
        .isTrue();
  }

  @Test
  void importWaitsForTheKeyLockHeldByAnotherInstance() throws Exception {
    String url = createDatabase();
    try (PostgresSlashingProtection db = open(url)) {
      db.checkAndRecord(KEY, new SigningIntent.Finality(1, 1, h(1)));
      Interchange ic =
          new Interchange(
              DOMAIN,
              List.of(
                  new Interchange.KeyHistory(
                      KEY,
                      List.of(),
                      List.of(
                          new HistoryEntry(
                              MessageKind.FINALITY_ATTESTATION,
                              1,
                              BigInteger.TEN,
                              null,
                              null,
                              h(2),
                              List.of())))));
      try (Connection other = java.sql.DriverManager.getConnection(url)) {
        other.setAutoCommit(false);
        try (PreparedStatement ps = other.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          ps.setLong(1, JdbcSlashingProtection.lockId(KEY));
          ps.execute();
        }
        // another instance holds the key's lock: the import must wait for it
        CompletableFuture<ImportReport> running =
            CompletableFuture.supplyAsync(() -> db.importHistory(ic));
        Thread.sleep(700);
        assertThat(running).isNotDone();
        other.commit();
        ImportReport r = running.get(30, TimeUnit.SECONDS);
        assertThat(r.imported()).isEqualTo(1);
      }
      assertThat(db.watermark(KEY, MessageKind.FINALITY_ATTESTATION, 1)).contains(BigInteger.TEN);
    }
  }

  @Test
  void refusesNewerSchemaAndAnotherDomain() throws Exception {
    String url = createDatabase();
    open(url).close();
    assertThatThrownBy(
            () ->
                PostgresSlashingProtection.open(
                    url, new Properties(), SlashingDomain.of(5, new byte[20]), 1))
        .isInstanceOf(SlashingProtectionException.class)
        .hasMessageContaining("another signing domain");
    try (Connection c = java.sql.DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO slashing_schema_version VALUES (2, 'from the future', CURRENT_TIMESTAMP)");
    }
    assertThatThrownBy(() -> open(url))
        .isInstanceOf(SlashingProtectionException.class)
        .hasMessageContaining("newer than this node supports");
  }

  @Test
  void concurrentThreadsInOneInstance() throws Exception {
    try (PostgresSlashingProtection db = open(createDatabase())) {
      int threads = 4;
      int heights = 300;
      List<CompletableFuture<int[]>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int variant = t;
        fs.add(
            CompletableFuture.supplyAsync(
                () -> {
                  int[] ok = new int[heights];
                  for (int i = 0; i < heights; i++) {
                    ok[i] =
                        db.checkAndRecord(
                                    KEY, new SigningIntent.Finality(2, i, h(1000 * variant + 1)))
                                .isAllowed()
                            ? 1
                            : 0;
                  }
                  return ok;
                }));
      }
      int[] total = new int[heights];
      for (CompletableFuture<int[]> f : fs) {
        int[] ok = f.get(120, TimeUnit.SECONDS);
        for (int i = 0; i < heights; i++) {
          total[i] += ok[i];
        }
      }
      assertThat(Arrays.stream(total).allMatch(x -> x == 1)).isTrue();
    }
  }
}
