package org.avsnode.operator.archfixture;

import org.avsnode.squad.archfixture.PlantedSquadHelper;

/** Planted violation: the core calling a duty. Test-only. */
public final class PlantedCoreUsesSquad {
  public int use() {
    return new PlantedSquadHelper().value();
  }
}
