package org.avsnode.operator.app.run;

import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT end {@code run} through the normal return path (exit code 0) instead of the
 * JVM's default (exit 143/130 after the shutdown hooks). Falls back to the shutdown hook alone
 * where the JVM does not allow handling signals.
 */
final class Signals {
  private Signals() {}

  @SuppressWarnings("restriction")
  static void onTerminate(Runnable action) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LoggerFactory.getLogger(Signals.class)
            .debug("cannot handle SIG{}: {}; relying on the shutdown hook", name, e.toString());
      }
    }
  }
}
