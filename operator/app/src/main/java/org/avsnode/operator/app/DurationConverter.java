package org.avsnode.operator.app;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Accepts {@code 90s}, {@code 5m}, {@code 2h}, {@code 500ms}, ISO-8601 ({@code PT30S}) and a bare
 * number of seconds ({@code 60}).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt") || v.startsWith("p")) {
        return nonNegative(Duration.parse(v.toUpperCase(Locale.ROOT)), value);
      }
      if (v.matches("\\d{1,12}")) {
        return Duration.ofSeconds(Long.parseLong(v));
      }
      if (v.endsWith("ms")) {
        return nonNegative(
            Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))), value);
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's':
          return nonNegative(Duration.ofSeconds(n), value);
        case 'm':
          return nonNegative(Duration.ofMinutes(n), value);
        case 'h':
          return nonNegative(Duration.ofHours(n), value);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // fall through to the one clear message below
    }
    throw new CommandLine.TypeConversionException(
        "'" + value + "' is not a duration (use e.g. 500ms, 30s or 30, 5m, 2h or PT30S)");
  }

  private static Duration nonNegative(Duration d, String value) {
    if (d.isNegative()) {
      throw new CommandLine.TypeConversionException("'" + value + "' is negative");
    }
    return d;
  }
}
