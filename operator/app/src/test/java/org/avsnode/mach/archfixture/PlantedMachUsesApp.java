package org.avsnode.mach.archfixture;

import org.avsnode.operator.app.Main;

/** Planted violation: a duty calling the binary. Test-only. */
public final class PlantedMachUsesApp {
  public int use() {
    return Main.run("--version");
  }
}
