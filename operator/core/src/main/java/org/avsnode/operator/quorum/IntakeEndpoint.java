package org.avsnode.operator.quorum;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.avsnode.bls.eip712.TypedMessage;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.net.MalformedMessageException;
import org.avsnode.operator.net.SignedMessageJson;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;

/**
 * The HTTP side of an aggregator's intake, the same for every message type: strict decoding (400
 * {@code MALFORMED} with the field's path), then the role's admission; {@code 202 {"status":
 * "queued"}} or {@code {"error", "reason"}} with {@link RejectReason#httpStatus()}. Every outcome
 * is counted under its lower-case name ({@code queued}, {@code malformed}, {@code duplicate}, …).
 */
public final class IntakeEndpoint {
  private IntakeEndpoint() {}

  public static <M extends TypedMessage> RouteResponse handle(
      RouteRequest req,
      Class<M> type,
      Function<SignedMessage<M>, IntakeResult> admit,
      Labelled<Counter> outcomes) {
    SignedMessage<M> m;
    try {
      m = SignedMessageJson.decode(req.body(), type);
    } catch (MalformedMessageException e) {
      outcomes.labels("malformed").inc();
      return RouteResponse.json(400, Map.of("error", e.getMessage(), "reason", "MALFORMED"));
    }
    IntakeResult r = admit.apply(m);
    if (r.isAccepted()) {
      // queued: it counts once it is part of a verified aggregate
      outcomes.labels("queued").inc();
      return RouteResponse.json(202, Map.of("status", "queued"));
    }
    RejectReason reason = r.reason().orElseThrow();
    outcomes.labels(reason.name().toLowerCase(Locale.ROOT)).inc();
    return RouteResponse.json(
        reason.httpStatus(), Map.of("error", r.detail(), "reason", reason.name()));
  }
}
