package org.avsnode.squad.archfixture;

/** Target of a planted violation. Test-only. */
public final class PlantedSquadHelper {
  public int value() {
    return 2;
  }
}
