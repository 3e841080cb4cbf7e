package org.avsnode.operator.app.devnet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.FormatException;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.operator.net.MalformedMessageException;
import org.avsnode.operator.net.SignedMessageJson;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.registry.NodeCertificateVerifier;

/**
 * The chaos devnet's independent record of what the operators signed and what was certified. Every
 * operator sends its attestations here as well as to the aggregators (one more URL in its {@code
 * mach.aggregators}); the witness checks each signature against the operator's registered key and
 * keeps, per operator and L2 height, the digest it signed, so two different digests for one height
 * are found whatever happened to the aggregators (a restarted aggregator forgets what it saw). It
 * also copies every certificate the aggregators serve, verified against the registry on L1, before
 * a kill can take an aggregator's memory with it.
 */
final class ChaosWitness implements AutoCloseable {

  /** An operator's first signature at a height, and any different one after it. */
  record Signed(int operator, long height, long firstSeenMillis, byte[] digest) {}

  /** Two different digests signed by one operator for one height. */
  record DoubleSignature(int operator, long height, String firstDigest, String secondDigest) {}

  private final HttpServer server;
  private final Eip712Domain domain;
  private final Map<String, Integer> operatorByAddress;
  private final List<BlsPublicKey> keys;
  private final long rollupId;
  private final Map<String, Signed> signed = new ConcurrentHashMap<>();
  private final Map<Long, Set<Integer>> signersByHeight = new ConcurrentSkipListMap<>();

  /** Height → "stakeEpoch/digest" → the operators that signed that message. */
  private final Map<Long, Map<String, Set<Integer>>> messagesByHeight =
      new ConcurrentSkipListMap<>();

  private final List<DoubleSignature> doubles =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, ConcurrentSkipListMap<Long, Long>> arrivalsByOperator =
      new ConcurrentHashMap<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong badSignatures = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();

  /**
   * The first verified certificate copied for a height: from which aggregator, naming which block.
   */
  private record Certified(int aggregator, String l2BlockHash) {}

  /** Height → its first verified certificate. */
  private final Map<Long, Certified> certified = new ConcurrentSkipListMap<>();

  private final AtomicLong invalidCertificates = new AtomicLong();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  ChaosWitness(Eip712Domain domain, List<String> addresses, List<BlsPublicKey> keys, long rollupId)
      throws IOException {
    this.domain = domain;
    this.keys = List.copyOf(keys);
    this.rollupId = rollupId;
    Map<String, Integer> idx = new ConcurrentHashMap<>();
    for (int i = 0; i < addresses.size(); i++) {
      idx.put(addresses.get(i).toLowerCase(java.util.Locale.ROOT), i);
    }
    this.operatorByAddress = idx;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "chaos-witness");
              t.setDaemon(true);
              return t;
            }));
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL operators send their attestations to. */
  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(64 * 1024);
      }
      int status = record(body);
      ex.sendResponseHeaders(status, -1);
    }
  }

  /** Checks and records one attestation; the HTTP status the witness answers. */
  int record(byte[] body) {
    received.incrementAndGet();
    SignedMessage<FinalityAttestation> a;
    try {
      a = SignedMessageJson.decode(body, FinalityAttestation.class);
    } catch (MalformedMessageException e) {
      malformed.incrementAndGet();
      return 400;
    }
    Integer op = operatorByAddress.get(Hex.toHexPrefixed(a.operator()));
    if (op == null) {
      malformed.incrementAndGet();
      return 403;
    }
    byte[] digest = a.message().digest(domain);
    boolean ok;
    try {
      ok = Bls.verify(keys.get(op), digest, BlsSignature.fromBytes(a.signature()));
    } catch (RuntimeException e) {
      ok = false;
    }
    if (!ok) {
      badSignatures.incrementAndGet();
      return 400;
    }
    long height = a.message().l2BlockNumber();
    long now = System.currentTimeMillis();
    Signed s = new Signed(op, height, now, digest);
    Signed first = signed.putIfAbsent(op + "/" + a.message().rollupId() + "/" + height, s);
    if (first != null && !Arrays.equals(first.digest(), digest)) {
      doubles.add(new DoubleSignature(op, height, Hex.toHex(first.digest()), Hex.toHex(digest)));
    }
    if (first == null) {
      signersByHeight.computeIfAbsent(height, h -> ConcurrentHashMap.newKeySet()).add(op);
      messagesByHeight
          .computeIfAbsent(height, h -> new ConcurrentHashMap<>())
          .computeIfAbsent(
              "epoch "
                  + a.message().stakeEpoch()
                  + " "
                  + Hex.toHexPrefixed(digest).substring(0, 10),
              k -> ConcurrentHashMap.newKeySet())
          .add(op);
      arrivalsByOperator.computeIfAbsent(op, o -> new ConcurrentSkipListMap<>()).put(now, height);
    }
    return 202;
  }

  /**
   * Copies the certificates of {@code heights} that one aggregator serves and that are not copied
   * yet, each verified against the registry on L1 by {@code verifier}.
   */
  void copyCertificates(
      int aggregator,
      String apiUrl,
      long fromHeight,
      long toHeight,
      NodeCertificateVerifier verifier) {
    for (long h = fromHeight; h <= toHeight; h++) {
      if (certified.containsKey(h)) {
        continue;
      }
      String json;
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(apiUrl + "/v1/finality/" + rollupId + "/" + h))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
          continue;
        }
        json = r.body();
      } catch (IOException e) {
        return; // that aggregator is down: the next round asks again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      Certificate c;
      try {
        c = Certificate.fromJson(json);
        if (c.finalityAttestation().l2BlockNumber() != h) {
          invalidCertificates.incrementAndGet();
          continue;
        }
      } catch (FormatException e) {
        invalidCertificates.incrementAndGet();
        continue;
      }
      VerificationResult v;
      try {
        v = verifier.verify(json, java.util.OptionalInt.empty());
      } catch (RuntimeException e) {
        continue; // L1 unreadable now: ask again next round
      }
      if (v.isValid()) {
        certified.putIfAbsent(
            h,
            new Certified(
                aggregator,
                org.web3j.utils.Numeric.toHexString(c.finalityAttestation().l2BlockHash())));
      } else {
        invalidCertificates.incrementAndGet();
      }
    }
  }

  boolean isCertified(long height) {
    return certified.containsKey(height);
  }

  /** The L2 block hash a verified certificate of {@code height} names (0x-hex), or null. */
  String certifiedBlock(long height) {
    Certified c = certified.get(height);
    return c == null ? null : c.l2BlockHash();
  }

  /**
   * The different messages signed for a height ("epoch E 0xdigest…" → signers): more than one means
   * honest signatures were split (e.g. over two stake epochs at a boundary).
   */
  Map<String, Set<Integer>> messagesAt(long height) {
    return messagesByHeight.getOrDefault(height, Map.of());
  }

  Set<Integer> signersOf(long height) {
    return signersByHeight.getOrDefault(height, Set.of());
  }

  /** The first attestation of {@code operator} that arrived at or after {@code sinceMillis}. */
  java.util.OptionalLong firstArrivalSince(int operator, long sinceMillis) {
    ConcurrentSkipListMap<Long, Long> m = arrivalsByOperator.get(operator);
    if (m == null) {
      return java.util.OptionalLong.empty();
    }
    Long k = m.ceilingKey(sinceMillis);
    return k == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(k);
  }

  List<DoubleSignature> doubleSignatures() {
    synchronized (doubles) {
      return List.copyOf(doubles);
    }
  }

  long received() {
    return received.get();
  }

  long distinctSigned() {
    return signed.size();
  }

  long badSignatures() {
    return badSignatures.get();
  }

  long malformed() {
    return malformed.get();
  }

  long invalidCertificates() {
    return invalidCertificates.get();
  }

  long certifiedCount() {
    return certified.size();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
