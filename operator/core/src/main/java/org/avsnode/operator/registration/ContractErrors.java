package org.avsnode.operator.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Names the custom errors of the project's contracts in revert data: {@code 0x…} becomes {@code
 * OperatorKeyMismatch()} or {@code KeyAlreadyRegistered(0x…)}. The error list is read from the ABIs
 * shipped with the contract bindings ({@code org/avsnode/contracts/solc/combined.json}), so it
 * follows the contracts without a hand-kept table. Static arguments (addresses, integers, booleans,
 * bytes32) are decoded; anything else is shown as raw words.
 */
public final class ContractErrors {
  static final String COMBINED_JSON = "/org/avsnode/contracts/solc/combined.json";
  private static final String ERROR_STRING = "0x08c379a0"; // Error(string)
  private static final String PANIC = "0x4e487b71"; // Panic(uint256)

  /** One custom error: its name and argument types. */
  record ErrorAbi(String name, List<String> types) {
    String signature() {
      return name + "(" + String.join(",", types) + ")";
    }

    String selector() {
      return Numeric.toHexString(Hash.sha3(signature().getBytes(StandardCharsets.US_ASCII)))
          .substring(0, 10);
    }
  }

  private static final ContractErrors SHIPPED = load();

  private final Map<String, ErrorAbi> bySelector;

  ContractErrors(List<ErrorAbi> errors) {
    Map<String, ErrorAbi> m = new HashMap<>();
    for (ErrorAbi e : errors) {
      m.putIfAbsent(e.selector(), e);
    }
    this.bySelector = Collections.unmodifiableMap(m);
  }

  /** The errors of every contract shipped with the bindings. */
  public static ContractErrors shipped() {
    return SHIPPED;
  }

  int size() {
    return bySelector.size();
  }

  private static ContractErrors load() {
    try (InputStream in = ContractErrors.class.getResourceAsStream(COMBINED_JSON)) {
      if (in == null) {
        return new ContractErrors(List.of());
      }
      return new ContractErrors(parse(new ObjectMapper().readTree(in)));
    } catch (IOException e) {
      return new ContractErrors(List.of());
    }
  }

  static List<ErrorAbi> parse(JsonNode combined) {
    List<ErrorAbi> out = new ArrayList<>();
    JsonNode contracts = combined.path("contracts");
    for (JsonNode contract : contracts) {
      for (JsonNode item : contract.path("abi")) {
        if (!"error".equals(item.path("type").asText())) {
          continue;
        }
        List<String> types = new ArrayList<>();
        for (JsonNode input : item.path("inputs")) {
          types.add(input.path("type").asText());
        }
        out.add(new ErrorAbi(item.path("name").asText(), List.copyOf(types)));
      }
    }
    return out;
  }

  /**
   * A readable form of revert data: the custom error with its arguments, {@code Error("reason")},
   * {@code Panic(0x11)}, or the raw data when it matches nothing known. Empty when there is no
   * data.
   */
  public Optional<String> describe(String revertData) {
    if (revertData == null) {
      return Optional.empty();
    }
    String data = revertData.strip().toLowerCase(Locale.ROOT);
    if (!data.startsWith("0x")) {
      data = "0x" + data;
    }
    if (!data.matches("0x[0-9a-f]*") || data.length() < 10 || data.length() % 2 != 0) {
      return data.equals("0x") ? Optional.empty() : Optional.of("revert data " + shorten(data));
    }
    String selector = data.substring(0, 10);
    byte[] args = Numeric.hexStringToByteArray(data.substring(10));
    if (selector.equals(ERROR_STRING)) {
      return Optional.of("Error(\"" + errorString(args).orElse("?") + "\")");
    }
    if (selector.equals(PANIC) && args.length == 32) {
      return Optional.of("Panic(0x" + new BigInteger(1, args).toString(16) + ")");
    }
    ErrorAbi abi = bySelector.get(selector);
    if (abi == null) {
      return Optional.of("unknown error " + shorten(data));
    }
    return Optional.of(abi.name() + "(" + String.join(", ", decodeArgs(abi.types(), args)) + ")");
  }

  /** The error's name alone, e.g. {@code OperatorKeyMismatch}, when known. */
  public Optional<String> name(String revertData) {
    if (revertData == null || revertData.length() < 10) {
      return Optional.empty();
    }
    ErrorAbi abi = bySelector.get(revertData.substring(0, 10).toLowerCase(Locale.ROOT));
    return Optional.ofNullable(abi).map(ErrorAbi::name);
  }

  private static List<String> decodeArgs(List<String> types, byte[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      String t = types.get(i);
      if ((i + 1) * 32 > args.length) {
        out.add("?");
        continue;
      }
      byte[] word = new byte[32];
      System.arraycopy(args, i * 32, word, 0, 32);
      out.add(decodeWord(t, word));
    }
    return out;
  }

  private static String decodeWord(String type, byte[] word) {
    BigInteger unsigned = new BigInteger(1, word);
    if (type.equals("address")) {
      byte[] a = new byte[20];
      System.arraycopy(word, 12, a, 0, 20);
      return Numeric.toHexString(a);
    }
    if (type.equals("bool")) {
      return unsigned.signum() == 0 ? "false" : "true";
    }
    if (type.startsWith("uint")) {
      return unsigned.toString();
    }
    if (type.startsWith("int")) {
      return new BigInteger(word).toString();
    }
    return Numeric.toHexString(word);
  }

  private static Optional<String> errorString(byte[] args) {
    if (args.length < 64) {
      return Optional.empty();
    }
    byte[] lenWord = new byte[32];
    System.arraycopy(args, 32, lenWord, 0, 32);
    BigInteger len = new BigInteger(1, lenWord);
    if (len.compareTo(BigInteger.valueOf(args.length - 64L)) > 0) {
      return Optional.empty();
    }
    String s = new String(args, 64, len.intValueExact(), StandardCharsets.UTF_8);
    return Optional.of(s.replaceAll("\\p{Cntrl}", "?"));
  }

  private static String shorten(String data) {
    return data.length() > 74 ? data.substring(0, 74) + "…" : data;
  }
}
