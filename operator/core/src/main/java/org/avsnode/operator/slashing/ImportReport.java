package org.avsnode.operator.slashing;

import java.util.List;

/**
 * What an import did.
 *
 * @param keys distinct keys in the file
 * @param imported records added to the history
 * @param alreadyPresent records identical to one already recorded
 * @param belowWatermark records at or below an existing watermark (already closed, not stored)
 * @param conflicts records that conflict with a recorded one or with another record in the file
 *     (the recorded one is kept; the watermark is raised over both, so neither content can be
 *     signed again)
 * @param watermarksRaised (key, type, rollup) watermarks raised by the import
 * @param conflictDetails a readable line per conflict (capped)
 */
public record ImportReport(
    int keys,
    int imported,
    int alreadyPresent,
    int belowWatermark,
    int conflicts,
    int watermarksRaised,
    List<String> conflictDetails) {
  public ImportReport {
    conflictDetails = List.copyOf(conflictDetails);
  }
}
