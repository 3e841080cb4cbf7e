package org.avsnode.operator.app.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.avsnode.operator.app.UserException;

/**
 * Turns {@code --duty-option DUTY.KEY=VALUE} entries into each duty's configuration section. The
 * node knows no duty's keys: each duty parses its own section (and rejects keys it does not know);
 * contract addresses come from the deployment file and keys from the node.
 */
final class DutyOptions {
  /** {@code mach.rollups=42=http://l2:8545}: the duty, the key, the value. */
  private static final Pattern ENTRY =
      Pattern.compile("([a-z][a-z0-9-]*)\\.([a-z][a-z0-9-]*)=(.*)");

  /** What splits a comma-joined list (environment, YAML list) into entries. */
  static final String SPLIT = ",(?=[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*=)";

  private DutyOptions() {}

  static Map<String, Map<String, String>> sections(List<String> duties, List<String> entries) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String duty : duties) {
      out.put(duty, new LinkedHashMap<>());
    }
    for (String e : entries == null ? List.<String>of() : entries) {
      Matcher m = ENTRY.matcher(e.strip());
      if (!m.matches()) {
        throw new UserException(
            "--duty-option '"
                + e
                + "' is not DUTY.KEY=VALUE (e.g. mach.rollups=42=http://l2:8545)");
      }
      Map<String, String> section = out.get(m.group(1));
      if (section == null) {
        throw new UserException(
            "--duty-option '"
                + e
                + "' names duty '"
                + m.group(1)
                + "', which is not enabled"
                + " (--duties "
                + String.join(",", duties)
                + ")");
      }
      section.put(m.group(2), m.group(3));
    }
    return out;
  }
}
