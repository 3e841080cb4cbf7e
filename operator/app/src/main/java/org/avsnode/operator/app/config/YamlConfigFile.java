package org.avsnode.operator.app.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A node config file: one YAML mapping of option names (without dashes) to scalars or lists of
 * scalars. Values are taken as written (the YAML text, not YAML 1.1's guesses: {@code 0x10} stays
 * {@code 0x10}, {@code 010} stays {@code 010}) and converted later exactly as a flag's value would
 * be. Lists become comma-separated values.
 */
final class YamlConfigFile {
  static final int MAX_BYTES = 1 << 20;

  /** One setting: the value as text and the line it is on (1-based). */
  record Entry(String value, int line) {}

  /** A file that cannot be used: the message says why, without the file's values. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  private YamlConfigFile() {}

  /**
   * The settings of {@code file} in file order.
   *
   * @throws Invalid for a missing or unreadable file, bad YAML, or a shape other than a flat map
   */
  static Map<String, Entry> read(Path file) throws Invalid {
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw new Invalid("is a directory");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new Invalid("is larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new Invalid("not found");
    } catch (IOException e) {
      throw new Invalid("cannot be read: " + e.getMessage());
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Invalid("is not UTF-8 text");
    }
    return parse(new java.io.StringReader(text));
  }

  static Map<String, Entry> parse(Reader reader) throws Invalid {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setNestingDepthLimit(10);
    options.setCodePointLimit(MAX_BYTES);
    Node root;
    try {
      root = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark();
      throw new Invalid(
          "invalid YAML"
              + (m == null
                  ? ""
                  : " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
              + ": "
              + oneLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new Invalid("invalid YAML: " + oneLine(e.getMessage()));
    } catch (RuntimeException e) {
      // SnakeYAML rejects some input with plain runtime exceptions (found by fuzzing: a tag with
      // surrounding spaces throws IllegalArgumentException); it is still just a bad file
      throw new Invalid("invalid YAML: " + oneLine(String.valueOf(e.getMessage())));
    }
    if (root == null) {
      return Map.of(); // empty file or only comments
    }
    if (!(root instanceof MappingNode map)) {
      throw new Invalid("must be a mapping of option names to values (e.g. 'data-path: /x')");
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      int line = t.getKeyNode().getStartMark().getLine() + 1;
      if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
        throw new Invalid("line " + line + ": keys must be option names");
      }
      String key = keyNode.getValue();
      if (out.containsKey(key)) {
        throw new Invalid("line " + line + ": key '" + key + "' appears twice");
      }
      out.put(key, new Entry(valueOf(key, line, t.getValueNode()), line));
    }
    return Collections.unmodifiableMap(out);
  }

  private static String valueOf(String key, int line, Node node) throws Invalid {
    if (node instanceof ScalarNode s) {
      if (Tag.NULL.equals(s.getTag())) {
        throw new Invalid("line " + line + ": key '" + key + "' has no value");
      }
      return s.getValue();
    }
    if (node instanceof SequenceNode seq) {
      List<String> items = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (!(item instanceof ScalarNode s) || Tag.NULL.equals(s.getTag())) {
          throw new Invalid("line " + line + ": key '" + key + "' must be a list of plain values");
        }
        items.add(s.getValue());
      }
      return String.join(",", items);
    }
    throw new Invalid(
        "line " + line + ": key '" + key + "' must be a value or a list, not a nested mapping");
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }
}
