package org.avsnode.certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorSetSnapshotTest {
  @Test
  void canonicalOrderIsByRegistryIndex() {
    Fixture f = Fixture.of(16);
    for (int i = 0; i < 16; i++) {
      assertThat(f.snapshot.operator(i).index()).isEqualTo(i);
      assertThat(f.snapshot.positionOf(Fixture.address(0x0B, i))).contains(i);
    }
    assertThat(f.snapshot.positionOf(Fixture.address(0x0C, 1))).isEmpty();
    assertThat(f.snapshot.totalStake()).isEqualTo(BigInteger.valueOf(100L * 16 * 17 / 2));
  }

  @Test
  void jsonRoundTripWithCompressedAndEip2537Keys() throws Exception {
    Fixture f = Fixture.of(8, i -> i != 5);
    String json = f.snapshot.toJson();
    assertThat(OperatorSetSnapshot.fromJson(json)).isEqualTo(f.snapshot);
    ObjectNode n = (ObjectNode) StrictJson.MAPPER.readTree(json);
    ObjectNode op0 = (ObjectNode) n.get("operators").get(0);
    op0.put("publicKey", HexBytes.encode(f.key(0).toEip2537()));
    n.remove("totalStake");
    assertThat(OperatorSetSnapshot.fromJson(n.toString())).isEqualTo(f.snapshot);
  }

  @Test
  void badSnapshotsAreTypedErrors() throws Exception {
    Fixture f = Fixture.of(4);
    ObjectNode base = (ObjectNode) StrictJson.MAPPER.readTree(f.snapshot.toJson());

    ObjectNode wrongTotal = base.deepCopy();
    wrongTotal.put("totalStake", "1");
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(wrongTotal.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("$.totalStake");

    ObjectNode badKey = base.deepCopy();
    byte[] k = f.key(1).toBytes();
    k[10] ^= 1;
    ((ObjectNode) badKey.get("operators").get(1)).put("publicKey", HexBytes.encode(k));
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(badKey.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("$.operators[1].publicKey");

    ObjectNode gap = base.deepCopy();
    ((ObjectNode) gap.get("operators").get(3)).put("index", 7);
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(gap.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("dense");

    ObjectNode dupIndex = base.deepCopy();
    ((ObjectNode) dupIndex.get("operators").get(3)).put("index", 2);
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(dupIndex.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("appears twice");

    ObjectNode dupKey = base.deepCopy();
    ((ObjectNode) dupKey.get("operators").get(3))
        .put("publicKey", dupKey.get("operators").get(2).get("publicKey").textValue());
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(dupKey.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("used twice");

    ObjectNode inactiveWithStake = base.deepCopy();
    ((ObjectNode) inactiveWithStake.get("operators").get(0)).put("active", false);
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(inactiveWithStake.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("inactive");

    ObjectNode empty = base.deepCopy();
    empty.set("operators", new ArrayNode(StrictJson.MAPPER.getNodeFactory()));
    empty.remove("totalStake");
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(empty.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("at least one operator");

    ObjectNode unknown = base.deepCopy();
    ((ObjectNode) unknown.get("operators").get(0)).put("weight", 1);
    assertThatThrownBy(() -> OperatorSetSnapshot.fromJson(unknown.toString()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("$.operators[0].weight");
  }

  @Test
  void duplicateAddressesAreRejected() {
    Fixture f = Fixture.of(2);
    OperatorSetSnapshot.Operator a = f.snapshot.operator(0);
    OperatorSetSnapshot.Operator b = f.snapshot.operator(1);
    OperatorSetSnapshot.Operator sameAddress =
        new OperatorSetSnapshot.Operator(1, a.address(), b.publicKey(), b.stake(), true);
    assertThatThrownBy(() -> OperatorSetSnapshot.of(Fixture.AVS, 3, 1, List.of(a, sameAddress)))
        .hasMessageContaining("appears twice");
  }
}
