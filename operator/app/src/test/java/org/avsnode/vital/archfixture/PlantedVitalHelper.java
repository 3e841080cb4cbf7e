package org.avsnode.vital.archfixture;

/** Target of a planted violation. Test-only. */
public final class PlantedVitalHelper {
  public int value() {
    return 1;
  }
}
