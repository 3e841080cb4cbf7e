package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.contracts.deploy.Chain;
import org.avsnode.squad.SquadDuty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.utils.Numeric;

/**
 * The devnet with {@code --squad}, the acceptance test of issue 12: eight operators, two of them
 * offline, run MACH, VITAL and SQUAD; the devnet's users send signed transactions to the operators'
 * endpoints. The L2 advances only by the slot leaders' blocks; a slot the offline operator leads is
 * committed by its backup; every transaction the endpoints accepted is in the block committed for
 * its preconfirmation's slot; the slots have certificates; MACH certifies the blocks SQUAD
 * produced. With {@code --break-preconf} a leader's key preconfirms a transaction its block lacks:
 * the followers refuse that slot and the leader is slashed exactly once; with {@code
 * --equivocate-slot} a committer's key signs a second proposal and is slashed once; nobody else is
 * slashed. With {@code --censor} operator 0 leaves due forced transactions out of its blocks, and
 * they are included all the same.
 */
class DevnetSquadIT {

  private static final int OFFLINE = 2;

  /** The inbox's commitments on L1 now: slot → the L2 block hash it names (0x, lower case). */
  private static Map<Long, String> committedBlocks(Web3j l1, SequencerInbox inbox)
      throws Exception {
    Map<Long, String> committed = new java.util.TreeMap<>();
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.ZERO),
            DefaultBlockParameterName.LATEST,
            inbox.getContractAddress());
    filter.addSingleTopic(org.web3j.abi.EventEncoder.encode(SequencerInbox.SLOTCOMMITTED_EVENT));
    for (var r : l1.ethGetLogs(filter).send().getLogs()) {
      var e = SequencerInbox.getSlotCommittedEventFromLog((Log) r.get());
      committed.put(e.slot.longValueExact(), Numeric.toHexString(e.blockHash));
    }
    return committed;
  }

  /** Whether every drawn rank of {@code slot} is operator 0 (the censor) or an offline one. */
  private static boolean uncommittable(Devnet devnet, long slot) throws Exception {
    var schedule =
        org.avsnode.squad.schedule.SlotScheduleContract.load(
            devnet.l1().web3j(), devnet.squadContracts().orElseThrow().schedule());
    var params = schedule.parameters();
    int[] ranks =
        schedule
            .epoch(params.epochOf(slot), params.backups())
            .orElseThrow()
            .schedule()
            .ranksOf(slot);
    var registry =
        org.avsnode.contracts.bindings.AvsRegistry.load(
            devnet.deployment().contracts().avsRegistry(),
            devnet.l1().web3j(),
            new ReadonlyTransactionManager(devnet.l1().web3j(), devnet.deployment().deployer()),
            Chain.gasProvider(devnet.l1().web3j(), Chain.DEFAULT_GAS_LIMIT));
    for (int index : ranks) {
      if (index < 0) {
        continue;
      }
      String address =
          registry
              .operatorAt(
                  BigInteger.valueOf(devnet.deployment().operatorSetId()),
                  BigInteger.valueOf(index))
              .send();
      List<DevnetOperator> ops = devnet.operators();
      boolean faulty = address.equalsIgnoreCase(ops.get(0).address());
      for (int i = ops.size() - OFFLINE; i < ops.size(); i++) {
        faulty |= address.equalsIgnoreCase(ops.get(i).address());
      }
      if (!faulty) {
        return false;
      }
    }
    return true;
  }

  /** Evidence submissions the followers finished (slashed, already used, reverted or failed). */
  private static String body(HttpClient http, String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static long count(
      org.avsnode.operator.app.browser.HeadlessChromium browser, String selector) {
    try {
      return browser.eval("document.querySelectorAll('" + selector + "').length").asLong();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String evalQuietly(
      org.avsnode.operator.app.browser.HeadlessChromium browser, String expression) {
    try {
      return browser.eval(expression).asText();
    } catch (Exception e) {
      return "";
    }
  }

  private static double evidenceOutcomes(HttpClient http, List<String> metricsUrls) {
    double n = 0;
    try {
      for (String url : metricsUrls) {
        String m =
            http.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        for (String line : m.split("\n")) {
          if ((line.startsWith("avs_squad_breach_evidence_total{")
                  || line.startsWith("avs_squad_double_proposal_evidence_total{"))
              && !line.contains("outcome=\"seen\"")) {
            n += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return n;
  }

  @Test
  @Timeout(240)
  void squadSequencesTheDevnetsL2(@TempDir Path dir) throws Exception {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text, true));
    DevnetOptions options = DevnetOptions.defaults(dir).withOperators(8).withOffline(OFFLINE);
    Devnet devnet =
        new Devnet(options, progress)
            .withSquad(true)
            .withBreakPreconf(true)
            .withEquivocateSlot(true)
            .withCensor(true);
    try {
      devnet.start();
      // a slot of the offline operator taken over by its backup, and slots led by the others
      DevnetAcceptanceIT.waitFor(
          "a slot committed by a backup, and 6 slots in all",
          Duration.ofSeconds(150),
          () ->
              progress.squadSlots.containsValue(1)
                  && progress.squadSlots.size() >= 6
                  && progress.squadSlots.containsValue(0),
          text);
      assertThat(text.toString()).contains("committed by", "(backup 1)");
      SquadWallets wallets = devnet.squadWallets().orElseThrow();
      assertThat(wallets.accepted.get()).as("transactions preconfirmed").isGreaterThan(5);

      // every accepted transaction is in the block committed for its preconfirmation's slot
      Web3j l1 = devnet.l1().web3j();
      SequencerInbox inbox =
          SequencerInbox.load(
              devnet.squadContracts().orElseThrow().inbox(),
              l1,
              new ReadonlyTransactionManager(l1, devnet.deployment().deployer()),
              Chain.gasProvider(l1, Chain.DEFAULT_GAS_LIMIT));
      long lastSlot = inbox.lastSlot().send().longValueExact();
      Map<Long, String> committed = committedBlocks(l1, inbox);
      String endpoint = devnet.operators().get(0).apiUrl() + SquadDuty.RPC_PATH;
      Web3j l2 = Web3j.build(new HttpService(endpoint));
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      HttpClient http = HttpClient.newHttpClient();
      int checked = 0;
      int lost = 0;
      for (String h : new ArrayList<>(wallets.acceptedHashes)) {
        String body =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"squad_getPreconfirmation\",\"params\":[\""
                + h
                + "\"]}";
        HttpResponse<String> resp =
            http.send(
                HttpRequest.newBuilder(URI.create(endpoint))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        var p = json.readTree(resp.body()).path("result");
        assertThat(p.isObject()).as("preconfirmation of %s held by op0", h).isTrue();
        long slot = p.get("slot").asLong();
        if (slot > lastSlot) {
          continue; // not committed yet
        }
        if (!committed.containsKey(slot)) {
          // only a slot that no honest online operator could commit: every rank is the censor
          // (op0, which leaves due forced items out, so the inbox refuses it) or offline (op3)
          assertThat(uncommittable(devnet, slot)).as("slot %d of %s committed", slot, h).isTrue();
          lost++;
          continue;
        }
        var receipt = l2.ethGetTransactionReceipt(h).send().getTransactionReceipt();
        assertThat(receipt).as("%s mined", h).isPresent();
        assertThat(receipt.get().getBlockHash())
            .as("%s in the block committed for slot %d", h, slot)
            .isEqualToIgnoringCase(committed.get(slot));
        checked++;
      }
      assertThat(checked).as("preconfirmed transactions checked").isGreaterThan(5);
      System.out.printf(
          "DevnetSquadIT: %d preconfirmed transactions found in their slots' blocks; %d lost with"
              + " slots that only the censor or the offline operator could commit%n",
          checked, lost);

      // followers certified the slots; MACH certified blocks that SQUAD produced
      long certifiedSlots = 0;
      for (long slot : committed.keySet()) {
        HttpResponse<String> c =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            devnet.operators().get(0).apiUrl() + "/squad/v1/certificates/" + slot))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (c.statusCode() == 200) {
          certifiedSlots++;
        }
      }
      assertThat(certifiedSlots).as("slot certificates on op0").isGreaterThanOrEqualTo(3);
      DevnetAcceptanceIT.waitFor(
          "MACH certificates of SQUAD's blocks",
          Duration.ofSeconds(30),
          () -> progress.firstCertificates.size() >= 3,
          text);
      // each names a block a slot commitment on L1 names (MACH waits for it), apart from the
      // L2's blocks before the first slot
      Map<Long, String> nowCommitted = committedBlocks(l1, inbox);
      long firstSquadBlock =
          l2.ethGetBlockByHash(nowCommitted.values().iterator().next(), false)
              .send()
              .getBlock()
              .getNumber()
              .longValueExact();
      int machChecked = 0;
      for (var e : progress.firstCertificates.entrySet()) {
        if (e.getKey() < firstSquadBlock) {
          continue;
        }
        String named =
            Numeric.toHexString(e.getValue().certificate().finalityAttestation().l2BlockHash());
        assertThat(nowCommitted.values())
            .as("MACH's certificate of L2 #%d names a block committed on L1", e.getKey())
            .contains(named);
        machChecked++;
      }
      assertThat(machChecked).as("MACH certificates of committed blocks").isGreaterThanOrEqualTo(3);
      assertThat(progress.evidenceTxs).as("no MACH slashing").isEmpty();
      // VITAL judges an output of SQUAD's chain only once the slot commitment behind its block is
      // in a finalized L1 block (the devnet's L1 reports 4 blocks below its head finalized)
      DevnetAcceptanceIT.waitFor(
          "an output of SQUAD's L2 validated on L1 by VITAL",
          Duration.ofSeconds(60),
          () -> !progress.validatedOnChain.isEmpty(),
          text);

      // --censor: op0 leaves due forced transactions out; they reach L2 blocks all the same
      DevnetAcceptanceIT.waitFor(
          "a forced transaction included",
          Duration.ofSeconds(60),
          () -> progress.forcedIncluded.get() >= 1,
          text);
      assertThat(text.toString()).contains("[op0 censors: its slots leave it out]");
      // every forced transaction within its deadline: due after 8 s, then in the next block a
      // leader or backup commits (three slots of 4 s, with the console's 1 s polling)
      assertThat(progress.forcedDelaysMillis)
          .as("forced transactions' delays from L1 to an L2 block")
          .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(8_000 + 3 * 4_000 + 1_000));
      // no missed slot waited longer than the handover bound: one slot + 500 ms after the
      // missed deadline (L1 times are whole seconds: at most 4 s)
      assertThat(progress.squadHandoverSeconds).isNotEmpty();
      assertThat(progress.squadHandoverSeconds.values())
          .as("handovers (s after the missed deadline, by L1 block time)")
          .allSatisfy(h -> assertThat(h).isLessThanOrEqualTo(4L));

      // --break-preconf and --equivocate-slot: each planted offence is slashed, once, and
      // nothing else is
      DevnetAcceptanceIT.waitFor(
          "the broken preconfirmation and the double proposal slashed",
          Duration.ofSeconds(60),
          () -> devnet.brokenPreconfSlashed() && devnet.doubleProposalSlashed(),
          text);
      Devnet.BrokenPreconf broken = devnet.brokenPreconf().orElseThrow();
      Devnet.DoubleProposal twice = devnet.doubleProposal().orElseThrow();
      assertThat(text.toString())
          .contains("(--break-preconf)", broken.operator().name() + " SLASHED for its broken")
          .contains(
              "(--equivocate-slot)",
              twice.operator().name() + " SLASHED for two proposals for slot " + twice.slot());
      // the other followers' staggered submissions have run (each finds the evidence used)
      // (each offence is seen by the five online operators other than the offender)
      List<String> online = new ArrayList<>();
      for (DevnetOperator o : devnet.operators()) {
        if (o.index < options.operators() - options.offline()) {
          online.add(o.apiUrl() + "/metrics");
        }
      }
      DevnetAcceptanceIT.waitFor(
          "every evidence submission settled",
          Duration.ofSeconds(15),
          () -> evidenceOutcomes(http, online) >= 2 * (online.size() - 1),
          text);
      EthFilter slashes =
          new EthFilter(
              DefaultBlockParameter.valueOf(BigInteger.ZERO),
              DefaultBlockParameterName.LATEST,
              devnet.deployment().contracts().slashingCoordinator());
      slashes.addSingleTopic(
          org.web3j.abi.EventEncoder.encode(
              org.avsnode.contracts.bindings.SlashingCoordinator.EQUIVOCATIONSLASHED_EVENT));
      assertThat(l1.ethGetLogs(slashes).send().getLogs())
          .as("slashed once for each planted offence")
          .hasSize(2);
      HttpResponse<String> none =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          devnet.operators().get(0).apiUrl()
                              + "/squad/v1/certificates/"
                              + broken.slot()))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).as("the broken slot has no certificate").isEqualTo(404);

      // what an operator sees of it all (docs/monitoring.md): every metric the dashboard and the
      // alert rules name for SQUAD is exported, and the status pages list the committed slots,
      // the takeovers and the offences with their evidence
      java.util.Set<String> exported = new java.util.TreeSet<>();
      List<String> feed = new ArrayList<>(); // kind|subject|outcome|level of each SQUAD entry
      for (DevnetOperator o : devnet.operators()) {
        if (o.index >= options.operators() - options.offline()) {
          continue;
        }
        exported.addAll(OperatorMonitoringIT.exportedNames(body(http, o.apiUrl() + "/metrics")));
        var summary = json.readTree(body(http, o.apiUrl() + "/status/api/summary"));
        for (var svc : summary.path("services")) {
          if (svc.path("id").asText().equals("squad")) {
            // up, or Partial only for a slot it led that failed (op0, the censor, whose
            // commitments the inbox refuses): never "starting" for one that has not led yet
            assertThat(svc.path("status").asText() + " " + svc.path("detail").asText())
                .as("%s's SQUAD health", o.name())
                .matches("Up.*|Partial slot [0-9]+: .*");
          }
        }
        feed.addAll(org.avsnode.operator.app.it.StatusFeed.entries(summary, "squad"));
      }
      List<String> exprs = new ArrayList<>(OperatorMonitoringIT.dashboardExprs());
      exprs.addAll(OperatorMonitoringIT.ruleExprs());
      java.util.Set<String> squadNames = new java.util.TreeSet<>(OperatorMonitoringIT.names(exprs));
      squadNames.removeIf(n -> !n.startsWith("avs_squad_"));
      assertThat(squadNames)
          .contains(
              "avs_squad_slots_total",
              "avs_squad_slots_checked_total",
              "avs_squad_preconfirmations_total",
              "avs_squad_final_l2_block");
      assertThat(exported)
          .as("the SQUAD metrics the dashboard and the alert rules name")
          .containsAll(squadNames);
      assertThat(feed)
          .as("the operators' status pages")
          .anyMatch(x -> x.matches("slot\\|slot [0-9]+\\|committed\\|info"))
          .anyMatch(x -> x.matches("slot\\|slot [0-9]+\\|taken over as backup 1\\|info"))
          .contains("check|slot " + broken.slot() + "|breach|alert")
          .contains("evidence|double proposal|seen|alert");
      assertThat(feed)
          .filteredOn(x -> x.startsWith("evidence|") && x.contains("|slashed|"))
          .as("the one submission of each offence's evidence that slashed")
          .containsExactlyInAnyOrder(
              "evidence|broken preconfirmation|slashed|alert",
              "evidence|double proposal|slashed|alert");
      // the devnet's status page shows them in a real browser
      List<ProcessHandle> browserProcesses;
      try (org.avsnode.operator.app.browser.HeadlessChromium browser =
          new org.avsnode.operator.app.browser.HeadlessChromium(dir.resolve("chromium-profile"))) {
        browser.navigate(devnet.statusUrl());
        org.avsnode.operator.app.browser.HeadlessChromium.waitUntil(
            "slots and the breach on the devnet's status page",
            Duration.ofSeconds(20),
            () ->
                count(browser, "#slots tbody tr[data-kind=slot]") >= 2
                    && count(browser, "#other tr[data-kind=check][data-level=alert]") >= 1);
        assertThat(
                evalQuietly(
                    browser,
                    "[...document.querySelectorAll('#slots tbody tr')]"
                        + ".map(r => r.textContent).join(' / ')"))
            .as("the slots' rows: time, node, slot, outcome, latency, detail")
            .containsPattern("slot [0-9]+(committed|taken over as backup 1)[0-9]+ msL2 #");
        assertThat(
                evalQuietly(
                    browser,
                    "document.querySelector('#other tr[data-kind=check][data-level=alert]')"
                        + ".textContent"))
            .contains("squad check", "slot " + broken.slot(), "breach");
        browser.screenshot(Path.of("target", "screenshots", "devnet-squad-status.png"));
        assertThat(browser.pageErrors)
            .as("JavaScript errors, CSP violations, failed loads")
            .isEmpty();
        browserProcesses = browser.processes();
      }
      org.avsnode.operator.app.browser.HeadlessChromium.assertStopped(browserProcesses);
      l2.shutdown();
    } finally {
      devnet.close();
    }
  }
}
