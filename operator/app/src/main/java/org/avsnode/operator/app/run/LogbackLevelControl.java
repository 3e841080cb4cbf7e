package org.avsnode.operator.app.run;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.Locale;
import java.util.Set;
import org.avsnode.operator.http.LogLevelControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST /admin/log-level} on logback, the binary's logging backend. */
final class LogbackLevelControl implements LogLevelControl {
  private static final Set<String> LEVELS =
      Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  @Override
  public void setLevel(String logger, String level) {
    String l = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(l)) {
      throw new IllegalArgumentException(
          "unknown level '" + level + "'; use one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      throw new UnsupportedOperationException("the logging backend is not logback");
    }
    String name = logger == null || logger.isBlank() ? Logger.ROOT_LOGGER_NAME : logger.trim();
    ctx.getLogger(name).setLevel(Level.toLevel(l));
    LoggerFactory.getLogger(LogbackLevelControl.class).info("log level of {} set to {}", name, l);
  }
}
