package org.avsnode.operator.slashing;

/** The few SQL differences between the two backends. */
enum Dialect {
  H2("VARBINARY(64)", "VARBINARY(48)"),
  POSTGRES("BYTEA", "BYTEA");

  private final String bytes32;
  private final String bytes48;

  Dialect(String bytes32, String bytes48) {
    this.bytes32 = bytes32;
    this.bytes48 = bytes48;
  }

  String ddl(String template) {
    return template.replace("${B32}", bytes32).replace("${B48}", bytes48);
  }
}
