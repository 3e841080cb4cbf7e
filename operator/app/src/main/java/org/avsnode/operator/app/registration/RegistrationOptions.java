package org.avsnode.operator.app.registration;

import java.time.Duration;
import java.util.List;
import org.avsnode.operator.app.DurationConverter;
import picocli.CommandLine.Option;

/** Options shared by {@code register}, {@code deregister} and {@code status}. */
final class RegistrationOptions {
  @Option(
      names = "--operator-set-ids",
      paramLabel = "ID",
      split = ",",
      description =
          "Operator sets of the AVS, comma-separated. Env: AVS_OPERATOR_SET_IDS."
              + " Default: the operator set of the deployment file.")
  List<Long> operatorSetIds;

  @Option(
      names = "--receipt-timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "How long to wait for each transaction to be mined (fees are raised every 3 blocks"
              + " without a receipt). Env: AVS_RECEIPT_TIMEOUT. Default: 5m.")
  Duration receiptTimeout;
}
