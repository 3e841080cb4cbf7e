package org.avsnode.operator.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L1 event logs by contract address and topic0, delivered once they are {@code confirmations}
 * blocks deep, retracted when a reorg removes them, with a cursor persisted after every delivered
 * range so that a restart misses nothing.
 *
 * <p>Guarantees, for a listener that treats a log as identified by {@link LogEvent#key()}:
 *
 * <ul>
 *   <li>every canonical matching log at or below {@code head - confirmations} is delivered, in
 *       block and log-index order;
 *   <li>a delivered log whose block a reorg replaces is retracted ({@link Listener#onRetracted})
 *       before the logs of the new block are delivered, as long as the reorg is at most {@link
 *       #REORG_WINDOW} blocks deep;
 *   <li>after a restart the last {@link #REPLAY_BLOCKS} blocks below the cursor are delivered again
 *       (the window of blocks that a reorg could still retract is rebuilt): delivery is at least
 *       once, a listener ignores a key it has seen.
 * </ul>
 *
 * Call {@link #poll()} from one thread (the node's scheduler); it does a bounded amount of work.
 */
public final class LogSubscription {
  private static final Logger LOG = LoggerFactory.getLogger(LogSubscription.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How many delivered blocks are remembered to detect and retract a reorg. */
  public static final int REORG_WINDOW = 64;

  /** Blocks below the persisted cursor delivered again after a restart. */
  public static final int REPLAY_BLOCKS = 16;

  /** Largest block range of one {@code eth_getLogs} request. */
  static final int MAX_RANGE = 1000;

  /** One log. {@code topics} and {@code data} are 0x-hex; addresses are lower case. */
  public record LogEvent(
      String address,
      List<String> topics,
      String data,
      long blockNumber,
      String blockHash,
      String transactionHash,
      long logIndex) {
    public LogEvent {
      topics = List.copyOf(topics);
    }

    /** What identifies a log across redeliveries: the block hash and the log index. */
    public String key() {
      return blockHash + "/" + logIndex;
    }
  }

  /** Called on the polling thread; an exception is logged and the log is not retried. */
  public interface Listener {
    void onLog(LogEvent log);

    default void onRetracted(LogEvent log) {}
  }

  private record Delivered(long number, String hash, List<LogEvent> logs) {}

  private final L1Client l1;
  private final List<String> addresses;
  private final List<String> topic0s;
  private final int confirmations;
  private final Path cursorFile;
  private final Listener listener;
  private final Deque<Delivered> window = new ArrayDeque<>();
  private long cursor;

  /**
   * @param addresses contract addresses (0x); logs of other contracts are never delivered
   * @param topic0s event signatures hashes (0x, 32 bytes) to deliver; empty: every event
   * @param cursorFile where the last delivered block is kept (created on first delivery)
   * @param startBlock the first block to look at when there is no cursor file yet
   */
  public LogSubscription(
      L1Client l1,
      List<String> addresses,
      List<String> topic0s,
      int confirmations,
      Path cursorFile,
      long startBlock,
      Listener listener) {
    this.l1 = Objects.requireNonNull(l1, "l1");
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("at least one contract address");
    }
    this.addresses = addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
    this.topic0s = topic0s.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    if (confirmations < 0) {
      throw new IllegalArgumentException("confirmations must not be negative");
    }
    this.confirmations = confirmations;
    this.cursorFile = Objects.requireNonNull(cursorFile, "cursorFile");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.cursor =
        readCursor().map(c -> Math.max(c - REPLAY_BLOCKS, startBlock - 1)).orElse(startBlock - 1);
  }

  /** The last block whose logs were delivered. */
  public synchronized long cursor() {
    return cursor;
  }

  /**
   * One step: retracts what a reorg removed, then delivers the next confirmed range.
   *
   * @return how many logs were delivered
   * @throws L1Exception when L1 cannot be read (nothing is delivered; the next poll retries)
   */
  public synchronized int poll() {
    retractReorged();
    long target = l1.blockNumber() - confirmations;
    if (target <= cursor) {
      return 0;
    }
    long from = cursor + 1;
    long to = Math.min(target, from + MAX_RANGE - 1);
    List<LogEvent> logs = fetch(from, to);
    // hashes of the blocks a reorg could still remove; a log from another block is a race with a
    // reorg between the two reads: stop before it and let the next poll see the new chain
    Map<Long, String> hashes = new LinkedHashMap<>();
    for (long n = Math.max(from, to - REORG_WINDOW + 1); n <= to; n++) {
      Optional<BlockHeader> b = l1.byNumber(n);
      if (b.isEmpty()) {
        to = n - 1;
        break;
      }
      hashes.put(n, b.get().hash());
    }
    long last = to;
    for (LogEvent e : logs) {
      String h = hashes.get(e.blockNumber());
      if (e.blockNumber() <= last && h != null && !h.equalsIgnoreCase(e.blockHash())) {
        last = e.blockNumber() - 1;
      }
    }
    if (last < from) {
      return 0;
    }
    int delivered = 0;
    Map<Long, List<LogEvent>> byBlock = new LinkedHashMap<>();
    for (LogEvent e : logs) {
      if (e.blockNumber() <= last) {
        byBlock.computeIfAbsent(e.blockNumber(), k -> new ArrayList<>()).add(e);
      }
    }
    for (long n = from; n <= last; n++) {
      List<LogEvent> inBlock = byBlock.getOrDefault(n, List.of());
      for (LogEvent e : inBlock) {
        try {
          listener.onLog(e);
        } catch (RuntimeException ex) {
          LOG.warn("log listener failed on {}: {}", e.key(), ex.toString());
        }
        delivered++;
      }
      String h = hashes.get(n);
      if (h != null) {
        window.addLast(new Delivered(n, h, inBlock));
        while (window.size() > REORG_WINDOW) {
          window.removeFirst();
        }
      }
    }
    cursor = last;
    writeCursor(last);
    return delivered;
  }

  /** Walks back from the newest delivered block while its hash is no longer canonical. */
  private void retractReorged() {
    while (!window.isEmpty()) {
      Delivered newest = window.peekLast();
      Optional<BlockHeader> now = l1.byNumber(newest.number());
      if (now.isPresent() && now.get().hash().equalsIgnoreCase(newest.hash())) {
        return;
      }
      window.removeLast();
      List<LogEvent> logs = new ArrayList<>(newest.logs());
      java.util.Collections.reverse(logs);
      for (LogEvent e : logs) {
        try {
          listener.onRetracted(e);
        } catch (RuntimeException ex) {
          LOG.warn("log listener failed retracting {}: {}", e.key(), ex.toString());
        }
      }
      cursor = newest.number() - 1;
      LOG.info(
          "L1 reorg: block {} is no longer canonical; its logs were retracted", newest.number());
    }
  }

  private List<LogEvent> fetch(long from, long to) {
    Map<String, Object> filter = new LinkedHashMap<>();
    filter.put("fromBlock", "0x" + Long.toHexString(from));
    filter.put("toBlock", "0x" + Long.toHexString(to));
    filter.put("address", addresses);
    if (!topic0s.isEmpty()) {
      filter.put("topics", List.of(topic0s));
    }
    Object raw = l1.rawCall("eth_getLogs", List.of(filter));
    if (!(raw instanceof List<?> list)) {
      throw new L1Exception(L1Exception.Kind.MALFORMED, "eth_getLogs", "not a list of logs");
    }
    List<LogEvent> out = new ArrayList<>(list.size());
    for (Object o : list) {
      out.add(parse(o));
    }
    out.sort(
        java.util.Comparator.comparingLong(LogEvent::blockNumber)
            .thenComparingLong(LogEvent::logIndex));
    return out;
  }

  private LogEvent parse(Object o) {
    try {
      JsonNode n = JSON.valueToTree(o);
      String address = text(n, "address").toLowerCase(Locale.ROOT);
      if (!addresses.contains(address)) {
        throw new IllegalArgumentException("a log of another contract: " + address);
      }
      List<String> topics = new ArrayList<>();
      for (JsonNode t : n.path("topics")) {
        topics.add(hex32(t.asText()));
      }
      if (n.path("removed").asBoolean(false)) {
        throw new IllegalArgumentException("a removed log in a range query");
      }
      return new LogEvent(
          address,
          topics,
          text(n, "data"),
          quantity(text(n, "blockNumber")),
          hex32(text(n, "blockHash")),
          hex32(text(n, "transactionHash")),
          quantity(text(n, "logIndex")));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED, "eth_getLogs", "malformed log: " + e.getMessage());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return v.asText();
  }

  private static String hex32(String s) {
    if (!s.matches("0x[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("not 32 bytes of hex: " + s);
    }
    return s.toLowerCase(Locale.ROOT);
  }

  private static long quantity(String s) {
    if (!s.matches("0x[0-9a-fA-F]{1,16}")) {
      throw new IllegalArgumentException("not a quantity: " + s);
    }
    return new BigInteger(s.substring(2), 16).longValueExact();
  }

  private Optional<Long> readCursor() {
    if (!Files.exists(cursorFile)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(Files.readString(cursorFile, StandardCharsets.UTF_8));
      long block = n.path("block").asLong(-1);
      if (block < 0) {
        throw new IOException("no block number");
      }
      return Optional.of(block);
    } catch (IOException e) {
      throw new IllegalStateException(
          "the log cursor "
              + cursorFile
              + " is unreadable ("
              + e.getMessage()
              + "); remove it"
              + " to start over from the deployment block");
    }
  }

  /** Written to a temporary file, synced, then renamed over the cursor: never half a cursor. */
  private void writeCursor(long block) {
    try {
      Files.createDirectories(cursorFile.toAbsolutePath().getParent());
      ObjectNode n = JSON.createObjectNode();
      n.put("block", block);
      byte[] bytes = JSON.writeValueAsBytes(n);
      Path tmp = cursorFile.resolveSibling(cursorFile.getFileName() + ".tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(
          tmp, cursorFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // the next delivery writes it again; a restart before then replays a little more
      LOG.warn("cannot write the log cursor {}: {}", cursorFile, e.toString());
    }
  }

  @Override
  public String toString() {
    return "LogSubscription["
        + addresses
        + ", topics "
        + topic0s.size()
        + ", cursor "
        + cursor
        + "]";
  }
}
