package org.avsnode.operator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.avsnode.operator.spi.RouteHandler;
import org.avsnode.operator.spi.RouteResponse;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private static final RouteHandler OK = r -> RouteResponse.noContent();
  private final RouteTable table = new RouteTable();

  @Test
  void literalSegmentsWinOverParameters() {
    RouteHandler byId = r -> RouteResponse.ok(r.pathParam("id"));
    table.get("/v1/finality/{id}", byId);
    table.get("/v1/finality/latest", OK);
    RouteTable.Found latest = (RouteTable.Found) table.match("GET", "/v1/finality/latest");
    assertThat(latest.route().template()).isEqualTo("/v1/finality/latest");
    RouteTable.Found one = (RouteTable.Found) table.match("GET", "/v1/finality/42");
    assertThat(one.params()).isEqualTo(Map.of("id", "42"));
    assertThat(table.match("GET", "/v1/finality")).isInstanceOf(RouteTable.NotFound.class);
    assertThat(table.match("GET", "/v1/finality/")).isInstanceOf(RouteTable.NotFound.class);
  }

  @Test
  void otherMethodsOnAKnownPathAre405() {
    table.post("/v1/attestations", OK);
    assertThat(table.match("GET", "/v1/attestations"))
        .isEqualTo(new RouteTable.WrongMethod(Set.of("POST")));
  }

  @Test
  void reservedPrefixesClashesAndMalformedPathsAreRefused() {
    assertThatThrownBy(() -> table.get("/eigen/x", OK)).hasMessageContaining("reserved");
    assertThatThrownBy(() -> table.get("/admin/x", OK)).hasMessageContaining("reserved");
    assertThatThrownBy(() -> table.get("/metrics", OK)).hasMessageContaining("reserved");
    table.get("/v1/a/{x}", OK);
    assertThatThrownBy(() -> table.get("/v1/a/{y}", OK)).hasMessageContaining("clashes");
    assertThatThrownBy(() -> table.get("v1", OK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> table.get("/v1/", OK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> table.get("/v1//a", OK)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> table.route("get", "/v1/b", 0, OK))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void adminRoutesAreMountedUnderAdminAndFlagged() {
    table.admin("POST", "/pause", OK);
    RouteTable.Found f = (RouteTable.Found) table.match("POST", "/admin/pause");
    assertThat(f.route().admin()).isTrue();
    assertThat(f.route().template()).isEqualTo("/admin/pause");
  }
}
