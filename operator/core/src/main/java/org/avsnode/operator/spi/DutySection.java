package org.avsnode.operator.spi;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duty's configuration section read strictly: unknown keys are refused, and every value error is
 * an {@link IllegalArgumentException} that names the duty and the key (the node turns it into one
 * line and exit 2).
 */
public final class DutySection {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

  private final String duty;
  private final Map<String, String> values;

  /**
   * @throws IllegalArgumentException when the section holds a key not in {@code known}
   */
  public DutySection(String duty, Map<String, String> values, Set<String> known) {
    this.duty = Objects.requireNonNull(duty, "duty");
    this.values = Map.copyOf(values);
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw error("unknown configuration keys " + unknown);
    }
  }

  public IllegalArgumentException error(String message) {
    return new IllegalArgumentException(duty + ": " + message);
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public String string(String key, String fallback) {
    String v = values.get(key);
    return v == null ? fallback : v.strip();
  }

  /** A comma-separated list; blank entries are dropped. */
  public List<String> list(String key) {
    List<String> out = new ArrayList<>();
    String v = values.get(key);
    if (v == null) {
      return out;
    }
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out;
  }

  /**
   * A comma-separated list of {@code ID=VALUE} entries, in order: the ids non-negative integers,
   * the values stripped ({@code shape} names them in the error, e.g. {@code URL}).
   */
  public java.util.Map<Long, String> idMap(String key, String shape) {
    java.util.Map<Long, String> out = new java.util.LinkedHashMap<>();
    for (String part : list(key)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw error(
            key + " entries are ID=" + shape + ", got " + part.substring(0, Math.max(0, eq)));
      }
      out.put(nonNegativeValue(key, part.substring(0, eq)), part.substring(eq + 1).strip());
    }
    return out;
  }

  public long nonNegative(String key, long fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    return nonNegativeValue(key, v);
  }

  public long nonNegativeValue(String key, String v) {
    try {
      long n = Long.parseLong(v.strip());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw error(key + " must be a non-negative integer: " + v);
    }
  }

  public boolean bool(String key, boolean fallback) {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    return switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error(key + " must be true or false");
    };
  }

  public Duration duration(String key, String fallback) {
    String v = string(key, fallback);
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      throw error(key + " must be like 300ms, 3s or 1m: " + v);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }

  public URI uriValue(String key, String v) {
    try {
      URI u = new URI(v.strip());
      if (u.getScheme() == null
          || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
          || u.getHost() == null) {
        throw new java.net.URISyntaxException(v, "not an http(s) URL");
      }
      return u;
    } catch (java.net.URISyntaxException e) {
      throw error(key + " must hold http(s) URLs (the value is not printed: it may hold a key)");
    }
  }

  /** A 0x-prefixed 20-byte address, lower case; {@code fallback} when the key is absent. */
  public String address(String key, String fallback) {
    String v = string(key, fallback);
    if (v == null || !ADDRESS.matcher(v).matches()) {
      throw error(key + " must be a 0x-prefixed 20-byte address: " + v);
    }
    return v.toLowerCase(Locale.ROOT);
  }
}
