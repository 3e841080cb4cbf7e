package org.avsnode.toolchain;

/**
 * Test helper run as its own JVM by {@link AnvilProcessIT}: starts an anvil, prints the pids of the
 * anvil tree and its URL, then waits to be killed.
 */
public final class AnvilOwnerMain {
  private AnvilOwnerMain() {}

  public static void main(String[] args) throws Exception {
    AnvilProcess anvil = AnvilProcess.builder().blockTime(java.time.Duration.ofSeconds(1)).start();
    StringBuilder pids = new StringBuilder(Long.toString(anvil.pid()));
    anvil.processHandle().descendants().forEach(h -> pids.append(',').append(h.pid()));
    System.out.println("PIDS " + pids + " URL " + anvil.rpcUrl());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
