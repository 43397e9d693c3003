package io.continua.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.HeadConfig;
import io.continua.schemas.Split;
import io.continua.schemas.registry.RegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class TrainerServiceIT {

    @Test
    void learnsFiveIntentsThenASixthWithoutForgettingAndKeepsItsLineage(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 2)) {
            List<String> five = TrainerStack.intents(0, 5);
            stack.publish("banking", TrainerStack.banking("test.jsonl", Set.copyOf(five), 40), Split.HOLDOUT);
            stack.publish("banking", TrainerStack.banking("train.jsonl", Set.copyOf(five), 60), Split.TRAIN);
            TrainerService trainer = stack.startTrainer();

            JsonNode fiveLabels = awaitVersion(stack, "banking", version -> version.path("labels").size() == 5
                    && version.path("metrics").path("holdout_accuracy").asDouble() > 0.80
                    && LineageAssert.reach(List.of(version), stack.topics.examplesAccepted()) > 0
                    && fullyTrained(stack, "banking"));
            System.out.printf("5 intents: version %d, holdout accuracy %.3f%n", fiveLabels.path("version").asInt(),
                    fiveLabels.path("metrics").path("holdout_accuracy").asDouble());
            LineageAssert.coversExactlyOnce(stack.versions("banking"), stack.trainOffsets("banking"),
                    stack.topics.examplesAccepted());
            assertParentChain(stack.versions("banking"));
            assertComparedWithProduction(stack.versions("banking"));

            // An operator rolls production back to the first version: the trainer's next candidates are
            // compared with that version on their own holdout, not with their parent.
            int rolledBackTo = stack.versions("banking").get(0).path("version").asInt();
            int lastBeforeRollback = fiveLabels.path("version").asInt();
            stack.client.moveAlias("banking", "production", rolledBackTo, "test: roll back");

            String sixth = TrainerStack.intents(5, 1).get(0);
            stack.publish("banking", TrainerStack.banking("test.jsonl", Set.of(sixth), 40), Split.HOLDOUT);
            stack.publish("banking", TrainerStack.banking("train.jsonl", Set.of(sixth), 60), Split.TRAIN);
            JsonNode sixLabels = awaitVersion(stack, "banking", version -> version.path("labels").size() == 6
                    && version.path("metrics").path("holdout_accuracy." + sixth).asDouble() > 0.5
                    && fullyTrained(stack, "banking"));
            double before = meanAccuracy(fiveLabels, five);
            double after = meanAccuracy(sixLabels, five);
            System.out.printf("6th intent: version %d; first five %.3f -> %.3f; sixth %.3f%n",
                    sixLabels.path("version").asInt(), before, after,
                    sixLabels.path("metrics").path("holdout_accuracy." + sixth).asDouble());
            assertThat(sixLabels.path("labels").get(5).asText()).isEqualTo(sixth);
            assertThat(after).as("accuracy on the first five intents").isGreaterThanOrEqualTo(before - 0.05);
            LineageAssert.coversExactlyOnce(stack.versions("banking"), stack.trainOffsets("banking"),
                    stack.topics.examplesAccepted());
            assertThat(trainer.statuses().get("banking").championVersion()).isEqualTo(sixLabels.path("version").asInt());
            JsonNode afterRollback = stack.versions("banking").stream()
                    .filter(version -> version.path("version").asInt() > lastBeforeRollback).findFirst().orElseThrow();
            assertThat(afterRollback.path("comparison").path("version").asInt()).isEqualTo(rolledBackTo);
            assertComparedWithProduction(stack.versions("banking"));
        }
    }

    @Test
    void aTrainerThatCrashesMidStreamLosesNothingAndTrainsNothingTwice(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 2)) {
            stack.client.configure("crash", RegistryClient.object().put("kind", "head"));
            Set<String> intents = Set.copyOf(TrainerStack.intents(0, 4));
            List<LabeledText> train = TrainerStack.banking("train.jsonl", intents, 80);
            stack.publish("crash", TrainerStack.banking("test.jsonl", intents, 10), Split.HOLDOUT);
            stack.publish("crash", train.subList(0, 160), Split.TRAIN);
            TrainerService first = stack.startTrainer();
            awaitVersion(stack, "crash", version -> true);

            stack.publish("crash", train.subList(160, train.size()), Split.TRAIN);
            // Crash once the trainer has taken in part of the second batch, before it can register all of it.
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
                DomainStatus status = first.statuses().get("crash");
                return status != null && status.pending() + status.trainedExamples() > 160;
            });
            first.halt();
            // An operator uploads by hand a version claiming every offset so far: the trainer must not
            // take it as its own lineage (nor skip what it has not trained).
            ObjectNode claim = RegistryClient.object();
            var ranges = claim.putArray("trainedOn");
            stack.trainOffsets("crash").forEach((partition, offsets) -> ranges.addObject()
                    .put("topic", stack.topics.examplesAccepted()).put("partition", partition)
                    .put("fromOffset", 0).put("untilOffset", offsets.get(offsets.size() - 1) + 1));
            stack.operator.upload("crash", DeltaArtifact.pack(Delta.initialize(new HeadConfig(),
                    stack.encoder.architecture(), List.copyOf(intents), 9), stack.encoder.fingerprint(),
                    Optional.empty()).bytes(), claim);

            stack.startTrainer();
            awaitFullyTrained(stack, Duration.ofMinutes(3), "crash");
            LineageAssert.coversExactlyOnce(stack.versions("crash"), stack.trainOffsets("crash"),
                    stack.topics.examplesAccepted());
        }
    }

    @Test
    void twoDomainsSharingAPartitionBothResumeAfterARestart(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            for (String domain : List.of("alpha", "beta")) {
                stack.client.configure(domain, RegistryClient.object().put("kind", "head"));
            }
            List<LabeledText> alpha = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 3)), 60);
            List<LabeledText> beta = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(3, 3)), 60);
            for (int i = 0; i < 90; i += 10) {
                stack.publish("alpha", alpha.subList(i, i + 10), Split.TRAIN);
                stack.publish("beta", beta.subList(i, i + 10), Split.TRAIN);
            }
            TrainerService first = stack.startTrainer();
            awaitFullyTrained(stack, Duration.ofMinutes(2), "alpha", "beta");
            first.close();
            int alphaBefore = stack.versions("alpha").size();
            int betaBefore = stack.versions("beta").size();

            for (int i = 90; i < alpha.size() && i < beta.size(); i += 10) {
                stack.publish("beta", beta.subList(i, Math.min(i + 10, beta.size())), Split.TRAIN);
                stack.publish("alpha", alpha.subList(i, Math.min(i + 10, alpha.size())), Split.TRAIN);
            }
            stack.startTrainer();
            awaitFullyTrained(stack, Duration.ofMinutes(2), "alpha", "beta");
            for (String domain : List.of("alpha", "beta")) {
                List<JsonNode> versions = stack.versions(domain);
                LineageAssert.coversExactlyOnce(versions, stack.trainOffsets(domain), stack.topics.examplesAccepted());
                assertParentChain(versions);
            }
            assertThat(stack.versions("alpha").size()).isGreaterThan(alphaBefore);
            assertThat(stack.versions("beta").size()).isGreaterThan(betaBefore);
        }
    }

    /**
     * A domain whose archives were lost cannot be taken over: it is parked, with its reason in the
     * status, while another domain on the same partition keeps training; once the archives are back it
     * is taken over, reads its skipped records again, and in the end every example of both domains is
     * learned exactly once.
     */
    @Test
    void aDomainThatCannotBeTakenOverIsParkedWhileTheOthersOnItsPartitionTrain(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            for (String domain : List.of("broken", "good")) {
                stack.client.configure(domain, RegistryClient.object().put("kind", "head"));
            }
            List<LabeledText> broken = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 3)), 40);
            List<LabeledText> good = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(3, 3)), 40);
            stack.publish("broken", broken.subList(0, 60), Split.TRAIN);
            TrainerService first = stack.startTrainer();
            awaitFullyTrained(stack, Duration.ofMinutes(2), "broken");
            first.close();
            long committedBefore = stack.committedOffset(0);

            Map<String, byte[]> lost = stack.loseArchives("broken");
            stack.publish("broken", broken.subList(60, broken.size()), Split.TRAIN);
            stack.publish("good", good, Split.TRAIN);
            TrainerService second = stack.startTrainer();
            awaitFullyTrained(stack, Duration.ofMinutes(2), "good");
            assertThat(second.statuses().get("broken").parked()).as("why broken is not trained")
                    .contains("artifact_unavailable");
            assertThat(stack.committedOffset(0)).as("the group's offset while broken is parked")
                    .isGreaterThanOrEqualTo(committedBefore);

            stack.restoreArchives(lost);
            awaitFullyTrained(stack, Duration.ofMinutes(3), "broken");
            assertThat(second.statuses().get("broken").parked()).isNull();
            for (String domain : List.of("broken", "good")) {
                LineageAssert.coversExactlyOnce(stack.versions(domain), stack.trainOffsets(domain),
                        stack.topics.examplesAccepted());
            }
        }
    }

    /**
     * The production version was uploaded by an operator and its archive is lost: the trainer cannot
     * score it for the comparison, so it registers its candidates without paired evidence (and
     * production stays where it is) rather than registering nothing.
     */
    @Test
    void candidatesAreRegisteredWhenTheProductionVersionCannotBeScored(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            stack.client.configure("orphan", RegistryClient.object().put("kind", "head"));
            List<String> intents = TrainerStack.intents(0, 3);
            stack.operator.upload("orphan", DeltaArtifact.pack(Delta.initialize(new HeadConfig(),
                    stack.encoder.architecture(), intents, 9), stack.encoder.fingerprint(), Optional.empty()).bytes(),
                    RegistryClient.object());
            stack.loseArchives("orphan");
            stack.publish("orphan", TrainerStack.banking("test.jsonl", Set.copyOf(intents), 10), Split.HOLDOUT);
            stack.publish("orphan", TrainerStack.banking("train.jsonl", Set.copyOf(intents), 20), Split.TRAIN);

            stack.startTrainer();
            awaitFullyTrained(stack, Duration.ofMinutes(2), "orphan");
            assertThat(stack.versions("orphan")).allSatisfy(version ->
                    assertThat(version.path("comparison").isNull() || version.path("comparison").isMissingNode())
                            .as("no comparison in %s", version).isTrue());
            assertThat(stack.client.domain("orphan").orElseThrow().path("aliases").path("production").asInt())
                    .as("production without paired evidence").isEqualTo(1);
        }
    }

    /**
     * Every update here takes longer than the consumer's max.poll.interval: were it run on the poll thread, the
     * member would leave its group and be given its partition again. The worker trains; the poll loop polls.
     */
    @Test
    void updatesLongerThanThePollIntervalNeitherStallPollingNorCostTheMemberItsPartition(EmbeddedKafka kafka)
            throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            stack.client.configure("slow", RegistryClient.object().put("kind", "lora"));
            List<LabeledText> examples = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 3)),
                    30);
            stack.publish("slow", examples, Split.TRAIN);
            // Short enough that an update of 16 LoRA steps outlasts it on any CPU.
            Duration pollInterval = Duration.ofSeconds(1);
            TrainerService trainer = stack.startTrainer(stack.config()
                    .with(TrainerSettings.MAX_POLL_INTERVAL, pollInterval)
                    .with(TrainerSettings.STEPS_PER_UPDATE, 16));
            awaitFullyTrained(stack, Duration.ofMinutes(4), "slow");

            String metrics = trainer.scrapeMetrics();
            assertThat(metric(metrics, "continua_trainer_update_duration_seconds_max"))
                    .as("an update outlasted max.poll.interval").isGreaterThan(pollInterval.toMillis() / 1000.0);
            assertThat(metric(metrics, "continua_trainer_partitions_assigned_total"))
                    .as("the partition was assigned once: no eviction, no rebalance").isEqualTo(1.0);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stack.committedOffset(0))
                    .as("the poll loop committed what the worker registered").isEqualTo(examples.size()));

            DomainStatus status = trainer.statuses().get("slow");
            assertThat(status.examplesPerSecond()).as("progress of the last update").isPositive();
            assertThat(status.freshnessSeconds(System.currentTimeMillis()))
                    .as("the first version was promoted: the newest example in service has an age").isPositive();
            assertThat(metric(trainer.scrapeMetrics(), "continua_trainer_freshness_seconds")).isPositive();
        }
    }

    /** A corrected label replaces the old one in replay and holdout: the old one is neither replayed nor gating. */
    @Test
    void aCorrectedLabelReplacesTheOldOneInReplayAndHoldout(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            stack.client.configure("fix", RegistryClient.object().put("kind", "head"));
            List<LabeledText> train = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 2)), 30);
            List<LabeledText> holdout = TrainerStack.banking("test.jsonl", Set.copyOf(TrainerStack.intents(0, 2)), 5);
            stack.publish("fix", train, Split.TRAIN);
            stack.publish("fix", holdout, Split.HOLDOUT);
            // The gate is open: this is about what the domain keeps, not whether a candidate beats its champion.
            TrainerService trainer = stack.startTrainer(stack.config().with(TrainerSettings.GATE_MARGIN, 1.0)
                    .with(TrainerSettings.MAX_FORGETTING, 1.0));
            awaitFullyTrained(stack, Duration.ofMinutes(2), "fix");

            LabeledText trained = train.get(0);
            LabeledText held = holdout.get(0);
            stack.publishCorrection("fix", new LabeledText(trained.text(), "corrected_label"), Split.TRAIN);
            stack.publishCorrection("fix", new LabeledText(held.text(), "corrected_label"), Split.HOLDOUT);
            awaitFullyTrained(stack, Duration.ofMinutes(2), "fix");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                DomainStatus status = trainer.statuses().get("fix");
                assertThat(status.replay()).as("the corrected text is replayed once, with its new label")
                        .isEqualTo(train.size());
                assertThat(status.holdout()).as("the corrected holdout text gates once").isEqualTo(holdout.size());
            });
            assertThat(stack.versions("fix").get(stack.versions("fix").size() - 1).path("labels").toString())
                    .contains("corrected_label");
        }
    }

    /** A kind changed mid-stream applies at the next update: a new lineage of the new kind, not a 422 loop. */
    @Test
    void aConfigChangeMidStreamStartsANewLineageOfTheNewKind(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            stack.client.configure("switch", RegistryClient.object().put("kind", "head"));
            List<LabeledText> train = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 2)), 40);
            stack.publish("switch", train.subList(0, 50), Split.TRAIN);
            stack.startTrainer(stack.config().with(TrainerSettings.GATE_MARGIN, 1.0)
                    .with(TrainerSettings.MAX_FORGETTING, 1.0));
            awaitFullyTrained(stack, Duration.ofMinutes(2), "switch");
            int headVersions = stack.versions("switch").size();

            stack.client.configure("switch", RegistryClient.object().put("kind", "lora"));
            stack.publish("switch", train.subList(50, train.size()), Split.TRAIN);
            awaitFullyTrained(stack, Duration.ofMinutes(3), "switch");

            List<JsonNode> versions = stack.versions("switch");
            assertThat(versions.subList(0, headVersions)).allSatisfy(version ->
                    assertThat(version.path("kind").asText()).isEqualTo("head"));
            JsonNode first = versions.get(headVersions);
            assertThat(first.path("kind").asText()).isEqualTo("lora");
            assertThat(first.path("parentVersion").isNull()).as("a new lineage").isTrue();
        }
    }

    /**
     * kind auto: the domain waits for a holdout to compare kinds on, then trains each candidate for its share of
     * the budget, picks one, and records the choice with every candidate's scores on the versions it leads to;
     * a restarted trainer resumes the chosen kind without searching again.
     */
    @Test
    void kindAutoSearchesOnTheDomainsHoldoutAndRecordsItsChoice(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            ObjectNode auto = RegistryClient.object().put("kind", "auto");
            auto.putObject("hyperparameters").put("candidates", "head,lora").put("ranks", "4").put("search_steps", "30");
            stack.client.configure("chosen", auto);
            List<LabeledText> train = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 3)), 30);
            List<LabeledText> holdout = TrainerStack.banking("test.jsonl", Set.copyOf(TrainerStack.intents(0, 3)), 6);
            stack.publish("chosen", train, Split.TRAIN);
            TrainerService trainer = stack.startTrainer();
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> trainer.statuses().get("chosen") != null
                            && trainer.statuses().get("chosen").waiting() != null);
            assertThat(trainer.statuses().get("chosen").waiting()).contains("holdout");

            stack.publish("chosen", holdout, Split.HOLDOUT);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !stack.versions("chosen").isEmpty());
            JsonNode first = stack.versions("chosen").get(0);
            assertThat(first.path("kind").asText()).isIn("head", "lora");
            JsonNode candidates = new ObjectMapper().readTree(first.path("hyperparameters").path("auto_candidates")
                    .asText());
            assertThat(candidates).hasSize(2);
            assertThat(candidates.get(1).path("kind").asText()).isEqualTo("lora");
            assertThat(candidates.get(1).path("r").asText()).isEqualTo("4");
            assertThat(candidates.get(0).path("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(candidates.get(0).path("parameters").asLong()).isPositive();
            assertThat(first.path("hyperparameters").path("auto_choice").asText()).contains(first.path("kind").asText());
            assertThat(trainer.statuses().get("chosen").lineage()).contains("kind auto chose");

            trainer.halt();
            TrainerService restarted = stack.startTrainer();
            stack.publish("chosen", TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 3)), 45)
                    .subList(90, 135), Split.TRAIN);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> stack.versions("chosen")
                    .stream().anyMatch(version -> version.path("createdAt").asText().compareTo(
                            first.path("createdAt").asText()) > 0 && restarted.statuses().get("chosen") != null));
            JsonNode resumed = stack.versions("chosen").get(stack.versions("chosen").size() - 1);
            assertThat(resumed.path("kind").asText()).as("the chosen kind goes on").isEqualTo(first.path("kind").asText());
            assertThat(resumed.path("parentVersion").isNull()).as("resumed, not searched again").isFalse();
            assertThat(resumed.path("hyperparameters").path("auto_candidates").asText())
                    .isEqualTo(first.path("hyperparameters").path("auto_candidates").asText());
            assertThat(restarted.statuses().get("chosen").lineage()).as("no new search").isNull();
        }
    }

    /**
     * An AdapterFusion domain whose source domains have no production version yet waits, keeping its examples and
     * saying why in its status; once both sources serve a version, it composes them, and its versions pin them.
     */
    @Test
    void aFusionDomainWaitsForItsSourcesThenComposesTheirProductionVersions(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            for (String source : List.of("src-a", "src-b")) {
                stack.client.configure(source, RegistryClient.object().put("kind", "adapter"));
            }
            ObjectNode fusion = RegistryClient.object().put("kind", "adapter_fusion");
            fusion.putObject("hyperparameters").put("sources", "src-a,src-b").put("r", "4");
            stack.client.configure("fused", fusion);
            TrainerService trainer = stack.startTrainer();
            List<LabeledText> train = TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 2)), 40);
            stack.publish("fused", train, Split.TRAIN);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> trainer.statuses().get("fused") != null && trainer.statuses().get("fused").waiting() != null);
            assertThat(trainer.statuses().get("fused").waiting()).contains("src-a").contains("no production version");
            assertThat(stack.versions("fused")).isEmpty();

            stack.publish("src-a", train, Split.TRAIN);
            stack.publish("src-b", train, Split.TRAIN);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !stack.versions("fused").isEmpty());
            JsonNode first = stack.versions("fused").get(0);
            assertThat(first.path("kind").asText()).isEqualTo("adapter_fusion");
            assertThat(first.path("hyperparameters").path("sources").asText()).matches("src-a@\\d+,src-b@\\d+");
            assertThat(first.path("hyperparameters").path("placement").asText()).as("the sources' placement")
                    .isEqualTo("pfeiffer");
            assertThat(trainer.statuses().get("fused").waiting()).isNull();
        }
    }

    /**
     * With one optimizer step per update, one update leaves the new examples far short of their target passes:
     * the worker goes on training on its own (consolidation) until every kept example had them, then rests.
     */
    @Test
    void keepsTrainingUntilEveryKeptExampleHadItsTargetPassesThenRests(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            stack.client.configure("passes", RegistryClient.object().put("kind", "head"));
            TrainerService trainer = stack.startTrainer(stack.config().with(TrainerSettings.STEPS_PER_UPDATE, 1)
                    .with(TrainerSettings.TARGET_PASSES, 4));
            stack.publish("passes", TrainerStack.banking("train.jsonl", Set.copyOf(TrainerStack.intents(0, 3)), 20),
                    Split.TRAIN);
            awaitFullyTrained(stack, Duration.ofMinutes(2), "passes");
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> trainer.statuses().get("passes").owedPasses() == 0);
            DomainStatus done = trainer.statuses().get("passes");
            assertThat(done.steps() * TrainerSettings.BATCH_SIZE.defaultValue())
                    .as("example passes trained").isGreaterThanOrEqualTo(done.replay() * 4L);
            Thread.sleep(3_000);
            assertThat(trainer.statuses().get("passes").steps()).as("resting once nothing is owed")
                    .isEqualTo(done.steps());
        }
    }

    /**
     * An operator holds production at the first version: auto promotion stops (candidates still register), the
     * trainer continues from the held version's delta instead of its own later versions, and its status says so.
     * After a release, auto promotion resumes. The alias history shows the hold, the release and the policy's move.
     */
    @Test
    void aHeldProductionStopsAutoPromotionAndTrainingContinuesFromIt(EmbeddedKafka kafka) throws Exception {
        try (TrainerStack stack = new TrainerStack(kafka, 1)) {
            ObjectNode config = RegistryClient.object().put("kind", "head");
            config.putObject("promotion").put("policy", "auto").put("margin", 1.0);
            stack.client.configure("pin", config);
            Set<String> intents = Set.copyOf(TrainerStack.intents(0, 2));
            stack.publish("pin", TrainerStack.banking("test.jsonl", intents, 20), Split.HOLDOUT);
            List<LabeledText> train = TrainerStack.banking("train.jsonl", intents, 70);
            int quarter = train.size() / 4;
            TrainerService trainer = stack.startTrainer(stack.config().with(TrainerSettings.GATE_MARGIN, 1.0)
                    .with(TrainerSettings.MAX_FORGETTING, 1.0));
            stack.publish("pin", train.subList(0, quarter), Split.TRAIN);
            awaitFullyTrained(stack, Duration.ofMinutes(2), "pin");
            stack.publish("pin", train.subList(quarter, 2 * quarter), Split.TRAIN);
            awaitFullyTrained(stack, Duration.ofMinutes(2), "pin");
            int first = stack.versions("pin").get(0).path("version").asInt();
            int lastBeforeHold = lastVersion(stack, "pin");
            assertThat(lastBeforeHold).as("versions before the hold").isGreaterThan(first);
            assertThat(stack.client.aliases("pin").path("aliases").path("production").path("version").asInt())
                    .as("auto promotion before the hold").isNotEqualTo(first);

            stack.operator.moveAlias("pin", "production", first, "test: hold", Optional.of(true));
            stack.publish("pin", train.subList(2 * quarter, 3 * quarter), Split.TRAIN);
            awaitFullyTrained(stack, Duration.ofMinutes(2), "pin");
            List<JsonNode> held = stack.versions("pin").stream()
                    .filter(version -> version.path("version").asInt() > lastBeforeHold).toList();
            assertThat(held).as("versions registered while held").isNotEmpty();
            assertThat(held.get(0).path("parentVersion").asInt()).as("the first version after the hold continues "
                    + "from the held one").isEqualTo(first);
            JsonNode production = stack.client.aliases("pin").path("aliases").path("production");
            assertThat(production.path("version").asInt()).isEqualTo(first);
            assertThat(production.path("held").asBoolean()).isTrue();
            assertThat(trainer.statuses().get("pin").lineage()).contains("continues from version " + first);

            // A trainer taking the domain over while it is held resumes from the newest version made on top of the
            // held one, not from the held version again.
            trainer.close();
            int lastBeforeRestart = lastVersion(stack, "pin");
            TrainerService successor = stack.startTrainer(stack.config().with(TrainerSettings.GATE_MARGIN, 1.0)
                    .with(TrainerSettings.MAX_FORGETTING, 1.0));
            stack.publish("pin", train.subList(3 * quarter, 3 * quarter + quarter / 2), Split.TRAIN);
            awaitFullyTrained(stack, Duration.ofMinutes(2), "pin");
            JsonNode afterRestart = stack.versions("pin").stream()
                    .filter(version -> version.path("version").asInt() > lastBeforeRestart).findFirst().orElseThrow();
            assertThat(afterRestart.path("parentVersion").asInt()).isEqualTo(lastBeforeRestart);
            assertThat(successor.statuses().get("pin").lineage()).contains("production held at version " + first);

            stack.operator.moveAlias("pin", "production", first, "test: release", Optional.of(false));
            int lastHeld = lastVersion(stack, "pin");
            stack.publish("pin", train.subList(3 * quarter + quarter / 2, train.size()), Split.TRAIN);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> stack.client
                    .aliases("pin").path("aliases").path("production").path("version").asInt() > lastHeld);
            List<JsonNode> history = new ArrayList<>();
            stack.client.aliasHistory("pin", "production").path("history").forEach(history::add);
            List<String> actors = history.stream().map(move -> move.path("actor").asText()).toList();
            int hold = actors.indexOf("ops");
            assertThat(history.get(hold).path("held").asBoolean()).isTrue();
            assertThat(history.get(hold + 1).path("actor").asText()).as("nothing moves a held alias but its operator")
                    .isEqualTo("ops");
            assertThat(history.get(hold + 1).path("held").asBoolean()).as("the release").isFalse();
            assertThat(actors.subList(hold + 2, actors.size())).as("auto promotion after the release")
                    .isNotEmpty().allMatch("policy:auto"::equals);
        }
    }

    private static int lastVersion(TrainerStack stack, String domain) {
        List<JsonNode> versions = stack.versions(domain);
        return versions.get(versions.size() - 1).path("version").asInt();
    }

    private static double metric(String scrape, String name) {
        return scrape.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .max().orElseThrow(() -> new AssertionError(name + " is not in the metrics"));
    }

    private static void awaitFullyTrained(TrainerStack stack, Duration within, String... domains) {
        await().atMost(within).pollInterval(Duration.ofSeconds(1))
                .until(() -> Arrays.stream(domains).allMatch(domain -> fullyTrained(stack, domain)));
    }

    /** Whether registered versions reach past the domain's last TRAIN offset. */
    private static boolean fullyTrained(TrainerStack stack, String domain) {
        Map<Integer, List<Long>> offsets = stack.trainOffsets(domain);
        List<JsonNode> versions = stack.versions(domain);
        for (Map.Entry<Integer, List<Long>> partition : offsets.entrySet()) {
            long last = partition.getValue().get(partition.getValue().size() - 1);
            boolean covered = versions.stream().anyMatch(version -> {
                for (JsonNode range : version.path("trainedOn")) {
                    if (range.path("partition").asInt() == partition.getKey()
                            && range.path("untilOffset").asLong() > last) {
                        return true;
                    }
                }
                return false;
            });
            if (!covered) {
                return false;
            }
        }
        return !offsets.isEmpty();
    }

    private static JsonNode awaitVersion(TrainerStack stack, String domain,
                                         java.util.function.Predicate<JsonNode> wanted) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Optional<JsonNode> match = stack.versions(domain).stream().filter(wanted).reduce((a, b) -> b);
            match.ifPresent(version -> found[0] = version);
            return match.isPresent();
        });
        return found[0];
    }

    private static void assertParentChain(List<JsonNode> versions) {
        Set<Integer> seen = new HashSet<>();
        for (JsonNode version : versions) {
            if (!seen.isEmpty()) {
                assertThat(seen).as("parent of version %d", version.path("version").asInt())
                        .contains(version.path("parentVersion").asInt());
            }
            seen.add(version.path("version").asInt());
        }
    }

    /** Every version after the first carries paired evidence: an earlier version scored on its very holdout. */
    private static void assertComparedWithProduction(List<JsonNode> versions) {
        for (JsonNode version : versions.subList(1, versions.size())) {
            JsonNode comparison = version.path("comparison");
            assertThat(comparison.path("version").asInt()).as("compared version of %s", version.path("version"))
                    .isLessThan(version.path("version").asInt()).isPositive();
            assertThat(comparison.path("examples").asDouble()).isEqualTo(version.path("metrics").path("holdout_size")
                    .asDouble());
            assertThat(comparison.path("metrics").path("holdout_accuracy").isNumber()).isTrue();
        }
    }

    private static double meanAccuracy(JsonNode version, List<String> labels) {
        return labels.stream().mapToDouble(label -> version.path("metrics").path("holdout_accuracy." + label)
                .asDouble()).average().orElseThrow();
    }
}
