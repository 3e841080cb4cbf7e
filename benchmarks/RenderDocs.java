import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the generated sections of docs/benchmarks.md from the result files in
 * benchmarks/results/ (JDK only: {@code java benchmarks/RenderDocs.java}, from the repository
 * root). A section is the text between {@code <!-- generated:NAME -->} and {@code <!--
 * /generated:NAME -->}; NAME is a result file's name without {@code .json}. With {@code --check}
 * it changes nothing and exits 1 when a section is not what the files give (the tests run this).
 */
public final class RenderDocs {
  private static final Path RESULTS = Path.of("benchmarks", "results");
  private static final List<Path> DOCS = List.of(Path.of("docs", "benchmarks.md"), Path.of("README.md"));

  public static void main(String[] args) throws IOException {
    boolean check = args.length > 0 && args[0].equals("--check");
    Path root = args.length > 1 ? Path.of(args[1]) : Path.of(".");
    List<String> stale = new ArrayList<>();
    for (Path docPath : DOCS) {
      Path doc = root.resolve(docPath);
      if (!Files.exists(doc)) {
        continue;
      }
      String text = Files.readString(doc);
      String updated = text;
      Matcher m = Pattern.compile("<!-- generated:([a-z0-9-]+)(@[a-z]+)? -->").matcher(text);
      while (m.find()) {
        String name = m.group(1);
        String view = m.group(2) == null ? "" : m.group(2);
        Path file = root.resolve(RESULTS).resolve(name + ".json");
        if (!Files.exists(file)) {
          System.err.println("RenderDocs: " + docPath + " has a section '" + name + "' but " + file + " does not exist");
          System.exit(1);
        }
        Object result = new Json(Files.readString(file)).value();
        String body = view.equals("@console") ? console(result) : render(name, result);
        String open = "<!-- generated:" + name + view + " -->";
        String close = "<!-- /generated:" + name + view + " -->";
        int a = updated.indexOf(open) + open.length();
        int b = updated.indexOf(close, a);
        if (b < 0) {
          System.err.println("RenderDocs: no " + close + " after " + open + " in " + docPath);
          System.exit(1);
        }
        String section = "\n" + body + "\n";
        if (!updated.substring(a, b).equals(section)) {
          stale.add(docPath + ":" + name + view);
          updated = updated.substring(0, a) + section + updated.substring(b);
        }
      }
      if (!check && !updated.equals(text)) {
        Files.writeString(doc, updated);
      }
    }
    if (check) {
      if (!stale.isEmpty()) {
        System.err.println(
            "RenderDocs: not generated from " + RESULTS + ": " + stale + "; run java benchmarks/RenderDocs.java");
        System.exit(1);
      }
      System.out.println("RenderDocs: " + DOCS + " agree with " + RESULTS);
      return;
    }
    System.out.println("RenderDocs: " + (stale.isEmpty() ? "nothing to change" : "rewrote " + stale));
  }

  /** A result's recorded console lines ("console": [...]) as a code block, with its provenance. */
  @SuppressWarnings("unchecked")
  static String console(Object result) {
    Map<String, Object> m = (Map<String, Object>) result;
    StringBuilder b = new StringBuilder("```\n");
    for (Object line : (List<Object>) m.get("console")) {
      b.append(line).append('\n');
    }
    b.append("```\n\n(the summary of `").append(m.get("command")).append("` at commit `")
        .append(m.get("commit")).append("`, ").append(m.get("date")).append("; generated from")
        .append(" `benchmarks/results/devnet.json`)");
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  static String render(String name, Object result) {
    StringBuilder b = new StringBuilder();
    if (result instanceof Map<?, ?> r && r.containsKey("figures")) {
      Map<String, Object> m = (Map<String, Object>) r;
      b.append(provenance(m));
      b.append("| measurement | gas |\n| --- | ---: |\n");
      for (Object o : (List<Object>) m.get("figures")) {
        Map<String, Object> f = (Map<String, Object>) o;
        b.append("| ").append(f.get("name")).append(" | ").append(thousands(f.get("gas"))).append(" |\n");
      }
    } else if (result instanceof Map<?, ?> r && r.containsKey("jmh")) {
      Map<String, Object> m = (Map<String, Object>) r;
      b.append(provenance(m));
      b.append("| benchmark | parameters | score | error (99.9%) | unit |\n| --- | --- | ---: | ---: | --- |\n");
      for (Object o : (List<Object>) m.get("jmh")) {
        Map<String, Object> j = (Map<String, Object>) o;
        Map<String, Object> metric = (Map<String, Object>) j.get("primaryMetric");
        String bench = String.valueOf(j.get("benchmark"));
        bench = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
        Object params = j.get("params");
        b.append("| ").append(bench).append(" | ").append(params == null ? "" : params.toString().replaceAll("[{}]", ""))
            .append(" | ").append(String.format("%.3f", ((Number) metric.get("score")).doubleValue()))
            .append(" | ").append(String.format("%.3f", ((Number) metric.get("scoreError")).doubleValue()))
            .append(" | ").append(metric.get("scoreUnit")).append(" |\n");
      }
    } else if (result instanceof Map<?, ?> r && r.containsKey("values")) {
      Map<String, Object> m = (Map<String, Object>) r;
      b.append(provenance(m));
      b.append("| measurement | value |\n| --- | ---: |\n");
      for (Object o : (List<Object>) m.get("values")) {
        Map<String, Object> v = (Map<String, Object>) o;
        b.append("| ").append(v.get("name")).append(" | ").append(thousands(v.get("value")));
        Object unit = v.get("unit");
        b.append(unit == null || unit.toString().isEmpty() ? "" : " " + unit).append(" |\n");
      }
    } else {
      throw new IllegalArgumentException(name + ": a result file without figures, jmh or values");
    }
    return b.toString().stripTrailing();
  }

  private static String provenance(Map<String, Object> m) {
    return "Measured " + m.get("date") + " at commit `" + m.get("commit") + "` on " + m.get("machine")
        + ".  \nCommand: `" + m.get("command") + "`" + (m.get("tools") == null ? "" : ".  \n" + m.get("tools"))
        + ".\n\n";
  }

  private static String thousands(Object n) {
    if (n instanceof Long l) {
      return String.format("%,d", l);
    }
    if (n instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format("%,d", d.longValue()) : String.format("%,.2f", d);
    }
    return String.valueOf(n);
  }

  /** A small JSON reader: objects (insertion order), arrays, strings, numbers, booleans, null. */
  static final class Json {
    private final String s;
    private int i;

    Json(String s) {
      this.s = s;
    }

    Object value() {
      Object v = read();
      skip();
      if (i != s.length()) {
        throw error("trailing text");
      }
      return v;
    }

    private Object read() {
      skip();
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        i++;
        Map<String, Object> m = new LinkedHashMap<>();
        skip();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        while (true) {
          skip();
          String k = string();
          skip();
          expect(':');
          m.put(k, read());
          skip();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      if (c == '[') {
        i++;
        List<Object> l = new ArrayList<>();
        skip();
        if (s.charAt(i) == ']') {
          i++;
          return l;
        }
        while (true) {
          l.add(read());
          skip();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect(']');
            return l;
          }
        }
      }
      if (c == '"') {
        return string();
      }
      if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", i)) {
        i += 4;
        return null;
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String num = s.substring(start, i);
      if (num.isEmpty()) {
        throw error("unexpected '" + c + "'");
      }
      return num.matches("-?\\d+") ? (Object) Long.parseLong(num) : (Object) Double.parseDouble(num);
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (s.charAt(i) != '"') {
        char c = s.charAt(i++);
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
      i++;
      return b.toString();
    }

    private void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("JSON: " + what + " at offset " + i);
    }
  }
}
