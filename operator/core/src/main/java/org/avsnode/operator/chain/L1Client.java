package org.avsnode.operator.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.avsnode.operator.metrics.NodeMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.ClientConnectionException;
import org.web3j.protocol.http.HttpService;

/**
 * The node's access to L1, on web3j. Every call is timed and counted ({@code eigen_rpc_*}),
 * transient faults (timeouts, refused connections, HTTP 5xx and 429) are retried with exponential
 * backoff and jitter, deterministic ones (JSON-RPC errors, other 4xx, malformed answers) are not.
 * Every failure surfaces as an {@link L1Exception} with a kind: nothing web3j or Jackson throws
 * leaks out.
 */
public final class L1Client implements AutoCloseable, HeadTracker.ChainReader {
  private static final Logger LOG = LoggerFactory.getLogger(L1Client.class);
  private static final Pattern HTTP_STATUS = Pattern.compile("received: (\\d{3})");

  private final Web3jService service;
  private final Web3j web3j;
  private final String endpoint;
  private final RetryPolicy retry;
  private final NodeMetrics metrics;
  private volatile String clientVersion = "unknown";

  /**
   * A client on an already-built service.
   *
   * @param endpoint how to name the endpoint in messages (a URL without credentials)
   */
  public L1Client(Web3jService service, String endpoint, RetryPolicy retry, NodeMetrics metrics) {
    this.service = Objects.requireNonNull(service, "service");
    this.web3j = Web3j.build(service);
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** An HTTP client for {@code url} with the given per-request timeout. */
  public static L1Client http(
      String url, Duration requestTimeout, RetryPolicy retry, NodeMetrics metrics) {
    OkHttpClient http =
        new OkHttpClient.Builder()
            .connectTimeout(requestTimeout)
            .readTimeout(requestTimeout)
            .writeTimeout(requestTimeout)
            .callTimeout(requestTimeout.multipliedBy(2))
            .retryOnConnectionFailure(false)
            .build();
    return new L1Client(new HttpService(url, http), redact(url), retry, metrics);
  }

  /**
   * Scheme, host and port of a URL, for messages and the node API: providers carry API keys in the
   * user info, the path or the query, so none of them is ever printed.
   */
  public static String redact(String url) {
    try {
      java.net.URI u = java.net.URI.create(url.strip());
      if (u.getHost() == null) {
        return "(an endpoint without a host)";
      }
      return (u.getScheme() == null ? "" : u.getScheme() + "://")
          + u.getHost()
          + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    } catch (IllegalArgumentException e) {
      return "(an unparsable endpoint URL)";
    }
  }

  public String endpoint() {
    return endpoint;
  }

  /** The web3j client for contract bindings (calls made through it bypass retries and metrics). */
  public Web3j web3j() {
    return web3j;
  }

  /**
   * Reads {@code web3_clientVersion} for the {@code client_version} metric label; failures leave it
   * {@code unknown}.
   */
  public String refreshClientVersion() {
    try {
      String v =
          call("web3_clientVersion", web3j.web3ClientVersion(), r -> r.getWeb3ClientVersion());
      clientVersion = sanitize(v);
    } catch (L1Exception e) {
      LOG.debug("web3_clientVersion failed: {}", e.getMessage());
    }
    return clientVersion;
  }

  public String clientVersion() {
    return clientVersion;
  }

  public long chainId() {
    return call("eth_chainId", web3j.ethChainId(), r -> r.getChainId().longValueExact());
  }

  /**
   * Refuses an endpoint on another chain.
   *
   * @throws L1Exception of kind {@link L1Exception.Kind#WRONG_CHAIN}
   */
  public void verifyChainId(long expected) {
    long actual = chainId();
    if (actual != expected) {
      metrics.rpcError("wrong_chain");
      throw new L1Exception(
          L1Exception.Kind.WRONG_CHAIN,
          "eth_chainId",
          "L1 endpoint " + endpoint + " serves chain id " + actual + ", expected " + expected);
    }
  }

  public long blockNumber() {
    return call(
        "eth_blockNumber", web3j.ethBlockNumber(), r -> r.getBlockNumber().longValueExact());
  }

  @Override
  public BlockHeader latest() {
    return block(DefaultBlockParameterName.LATEST)
        .orElseThrow(
            () -> malformed("eth_getBlockByNumber", "no latest block (result null)", null));
  }

  @Override
  public Optional<BlockHeader> byNumber(long number) {
    return block(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)));
  }

  private Optional<BlockHeader> block(DefaultBlockParameter which) {
    return call(
        "eth_getBlockByNumber",
        web3j.ethGetBlockByNumber(which, false),
        r -> {
          EthBlock.Block b = r.getBlock();
          if (b == null) {
            return Optional.empty();
          }
          BigInteger baseFee = b.getBaseFeePerGasRaw() == null ? null : b.getBaseFeePerGas();
          return Optional.of(
              new BlockHeader(
                  b.getNumber().longValueExact(),
                  b.getHash(),
                  b.getParentHash(),
                  b.getTimestamp().longValueExact(),
                  baseFee));
        });
  }

  /** {@code eth_getTransactionCount(address, pending)}: the next nonce the node would accept. */
  public BigInteger pendingNonce(String address) {
    return call(
        "eth_getTransactionCount",
        web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING),
        // a nonce beyond 2^63 is a hostile or garbled answer, not a nonce
        r -> BigInteger.valueOf(r.getTransactionCount().longValueExact()));
  }

  /** {@code eth_getTransactionCount(address, latest)}: how many of its transactions are mined. */
  public BigInteger minedNonce(String address) {
    return call(
        "eth_getTransactionCount",
        web3j.ethGetTransactionCount(address, DefaultBlockParameterName.LATEST),
        // a nonce beyond 2^63 is a hostile or garbled answer, not a nonce
        r -> BigInteger.valueOf(r.getTransactionCount().longValueExact()));
  }

  public BigInteger maxPriorityFeePerGas() {
    return call(
        "eth_maxPriorityFeePerGas",
        web3j.ethMaxPriorityFeePerGas(),
        r -> r.getMaxPriorityFeePerGas());
  }

  public BigInteger balance(String address) {
    return call(
        "eth_getBalance",
        web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST),
        r -> r.getBalance());
  }

  /**
   * {@code eth_estimateGas}.
   *
   * @throws L1RpcErrorException when the call reverts
   */
  public BigInteger estimateGas(String from, String to, BigInteger value, String data) {
    Transaction tx =
        Transaction.createFunctionCallTransaction(from, null, null, null, to, value, data);
    return call("eth_estimateGas", web3j.ethEstimateGas(tx), r -> r.getAmountUsed());
  }

  /** {@code eth_call} at the latest block; returns the hex result. */
  public String ethCall(String from, String to, String data) {
    Transaction tx = Transaction.createEthCallTransaction(from, to, data);
    return call(
        "eth_call",
        web3j.ethCall(tx, DefaultBlockParameterName.LATEST),
        r -> Objects.requireNonNull(r.getValue(), "result"));
  }

  /** Broadcasts a signed transaction; returns its hash as the node reports it. */
  public String sendRawTransaction(String signedHex) {
    return call(
        "eth_sendRawTransaction",
        web3j.ethSendRawTransaction(signedHex),
        r -> Objects.requireNonNull(r.getTransactionHash(), "result"));
  }

  public Optional<TxReceipt> receipt(String txHash) {
    return call(
        "eth_getTransactionReceipt",
        web3j.ethGetTransactionReceipt(txHash),
        r -> {
          Optional<TransactionReceipt> o = r.getTransactionReceipt();
          if (o.isEmpty()) {
            return Optional.empty();
          }
          TransactionReceipt t = o.get();
          return Optional.of(
              new TxReceipt(
                  Objects.requireNonNull(t.getTransactionHash(), "transactionHash"),
                  t.getBlockNumber().longValueExact(),
                  Objects.requireNonNull(t.getBlockHash(), "blockHash"),
                  t.isStatusOK(),
                  t.getGasUsed(),
                  t.getEffectiveGasPrice() == null
                      ? null
                      : org.web3j.utils.Numeric.decodeQuantity(t.getEffectiveGasPrice())));
        });
  }

  /**
   * A raw JSON-RPC call (e.g. {@code anvil_*} in tests) with the same retries and metrics; the
   * result as plain JSON values (maps, lists, strings, numbers, booleans), null for JSON null.
   */
  public Object rawCall(String method, List<?> params) {
    Request<?, RawResponse> req = new Request<>(method, params, service, RawResponse.class);
    return call(method, req, r -> Optional.ofNullable(r.getResult())).orElse(null);
  }

  /** A response whose result is kept as plain JSON values. */
  public static final class RawResponse extends Response<Object> {}

  /**
   * Sends {@code request} with retries and extracts the value. The request object is re-sent on
   * retry (same JSON-RPC id).
   */
  <R extends Response<?>, T> T call(String method, Request<?, R> request, Function<R, T> extract) {
    L1Exception lastTransient = null;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      if (attempt > 1) {
        Duration wait = retry.backoff(attempt - 1);
        LOG.debug(
            "{} attempt {} failed ({}); retrying in {} ms",
            method,
            attempt - 1,
            lastTransient.getMessage(),
            wait.toMillis());
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new L1Exception(L1Exception.Kind.UNAVAILABLE, method, method + " interrupted", e);
        }
      }
      long start = System.nanoTime();
      R response;
      try {
        response = request.send();
      } catch (JsonProcessingException e) {
        observe(method, start);
        throw malformed(method, "the answer is not valid JSON-RPC: " + firstLine(e), e);
      } catch (ClientConnectionException e) {
        observe(method, start);
        int status = httpStatus(e);
        if (status >= 500 || status == 429) {
          metrics.rpcError("http_5xx");
          lastTransient = transientFailure(method, "HTTP " + status, e);
          continue;
        }
        metrics.rpcError("http_4xx");
        throw new L1Exception(
            L1Exception.Kind.HTTP_ERROR,
            method,
            method + " to " + endpoint + " failed with HTTP " + (status < 0 ? "error" : status),
            e);
      } catch (InterruptedIOException e) {
        observe(method, start);
        metrics.rpcError("timeout");
        lastTransient = transientFailure(method, "timed out", e);
        continue;
      } catch (IOException e) {
        observe(method, start);
        metrics.rpcError("connection");
        String why =
            e instanceof ConnectException ? "connection refused" : "I/O error: " + firstLine(e);
        lastTransient = transientFailure(method, why, e);
        continue;
      } catch (RuntimeException e) {
        // web3j wraps some decoding failures in unchecked exceptions
        observe(method, start);
        throw malformed(method, "the answer could not be decoded: " + firstLine(e), e);
      }
      observe(method, start);
      if (response == null) {
        throw malformed(method, "empty answer", null);
      }
      if (response.hasError()) {
        Response.Error err = response.getError();
        metrics.rpcError("rpc_error");
        throw new L1RpcErrorException(method, err.getCode(), err.getMessage(), err.getData());
      }
      T value;
      try {
        value = extract.apply(response);
      } catch (RuntimeException e) {
        throw malformed(method, "unexpected result: " + firstLine(e), e);
      }
      if (value == null) {
        throw malformed(method, "result missing", null);
      }
      return value;
    }
    throw lastTransient;
  }

  private L1Exception transientFailure(String method, String why, Throwable cause) {
    return new L1Exception(
        L1Exception.Kind.UNAVAILABLE,
        method,
        "L1 endpoint "
            + endpoint
            + " unavailable: "
            + method
            + " "
            + why
            + " (after "
            + retry.maxAttempts()
            + " attempts)",
        cause);
  }

  private L1Exception malformed(String method, String why, Throwable cause) {
    metrics.rpcError("malformed");
    return new L1Exception(
        L1Exception.Kind.MALFORMED, method, method + " to " + endpoint + ": " + why, cause);
  }

  private void observe(String method, long startNanos) {
    metrics.rpcRequest(method, clientVersion, (System.nanoTime() - startNanos) / 1e9);
  }

  private static int httpStatus(ClientConnectionException e) {
    Matcher m = HTTP_STATUS.matcher(String.valueOf(e.getMessage()));
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static String firstLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }

  private static String sanitize(String v) {
    String s = v == null ? "unknown" : v.replaceAll("[^A-Za-z0-9._/+-]", "_");
    return s.isEmpty() ? "unknown" : s.length() > 64 ? s.substring(0, 64) : s;
  }

  @Override
  public void close() {
    try {
      web3j.shutdown();
    } catch (RuntimeException e) {
      LOG.debug("web3j shutdown: {}", e.toString());
    }
  }
}
