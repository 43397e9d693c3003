package io.continua.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The registry's console in a real browser (Debian's headless Chromium driven through its
 * chromedriver): the page loads with the registry's live data, a promote from the page moves the
 * alias through the admin API with the token pasted in the tab, and the history on the page shows it.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ConsoleIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Vertx vertx;
    private RegistryFixture fixture;
    private RegistryService registry;
    private WebDriver browser;

    @BeforeEach
    void start(EmbeddedKafka kafka) throws Exception {
        // CI sets CONTINUA_REQUIRE_CHROMIUM: there a missing browser fails the test instead of skipping it.
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("CONTINUA_REQUIRE_CHROMIUM") != null) {
            assertThat(installed).as("chromium and chromium-driver installed (CONTINUA_REQUIRE_CHROMIUM is set)")
                    .isTrue();
        }
        assumeTrue(installed, "Debian's chromium and chromium-driver are not installed");
        vertx = Vertx.vertx();
        fixture = new RegistryFixture(kafka, 2L * 1024 * 1024);
        registry = RegistryService.start(fixture.config, fixture.encoder, vertx);
        // Chromium puts a socket under its scratch directory, and a socket's path must stay short.
        browser = browser(Path.of("target", "chrome-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (registry != null) {
            registry.close();
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void showsLiveDataAndPromotesFromThePageWithThePastedToken() throws Exception {
        RegistryClient writer = RegistryFixture.client(registry, RegistryFixture.WRITER);
        writer.upload("banking", fixture.artifact(1), RegistryFixture.metadata(null, 0.80));
        writer.upload("banking", fixture.artifact(2), RegistryFixture.metadata(1, 0.86));
        writer.upload("banking", fixture.artifact(3), RegistryFixture.metadata(2, 0.88));
        writer.moveAlias("banking", "candidate", 3, "try v3 beside production");
        liveLabels(1, 42, 50);
        liveLabels(3, 46, 50);
        RegistryClient reader = RegistryFixture.client(registry, RegistryFixture.READER);
        await().atMost(Duration.ofSeconds(20)).until(() -> reader.live("banking").path("versions").has("3"));

        browser.get(registry.url() + "/ui/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // A failed wait says what the page showed.
        wait.withMessage(() -> "the page shows: " + browser.findElement(By.tagName("body")).getText());
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#domains tr[data-domain='banking']")));
        assertThat(row.findElement(By.cssSelector("[data-field='served']")).getText()).isEqualTo("v1");
        assertThat(row.getText()).as("live accuracy of v1 (42 of 50) and its holdout accuracy").contains("84.0 %")
                .contains("80.0 %");
        assertThat(row.getText()).as("how fresh the latest version is").containsPattern("v3, \\d+ (s|min) ago");

        row.findElement(By.linkText("banking")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#versions tr[data-version='3']")));
        assertThat(browser.findElement(By.id("production")).getText()).isEqualTo("v1");
        assertThat(browser.findElement(By.cssSelector("#versions tr[data-version='3'] td")).getText())
                .as("its lineage: the parent it was trained on top of").isEqualTo("v2");
        assertThat(browser.findElements(By.cssSelector("figure svg circle"))).as("the learning curve's points")
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(browser.findElement(By.id("comparison")).getText()).as("candidate against production")
                .contains("v3 (candidate)").contains("92.0 %").contains("v1 (production)").contains("84.0 %");
        screenshot();

        // Without a token the page says what is missing and changes nothing.
        promoteButton(3).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Paste an admin"));
        assertThat(productionOf(reader)).isEqualTo(1);

        browser.findElement(By.id("token")).sendKeys(RegistryFixture.ADMIN);
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Token kept"));
        assertThat(browser.manage().getCookies()).as("the token is never a cookie").isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return Object.values(sessionStorage)"))
                .as("kept in the tab").isEqualTo(List.of(RegistryFixture.ADMIN));
        promoteButton(3).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> productionOf(reader) == 3);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "promoted from the console"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("production"), "v3"));
        assertThat(reader.aliasHistory("banking", "production").path("history").get(1).path("actor").asText())
                .isEqualTo("ops");

        browser.findElement(By.id("rollback")).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> productionOf(reader) == 1);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "rolled back from the console"));

        wait.until(ExpectedConditions.elementToBeClickable(By.id("hold"))).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> lastMove(reader).path("held").asBoolean());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "held from the console"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("release"))).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> !lastMove(reader).path("held").asBoolean());
        assertThat(lastMove(reader).path("reason").asText()).isEqualTo("released from the console");
        assertThat(productionOf(reader)).as("a hold and release stay where production is").isEqualTo(1);
    }

    private WebElement promoteButton(int version) {
        return browser.findElement(By.cssSelector("#versions tr[data-version='" + version + "'] button.promote"));
    }

    private static JsonNode lastMove(RegistryClient reader) {
        JsonNode history = reader.aliasHistory("banking", "production").path("history");
        return history.get(history.size() - 1);
    }

    private static int productionOf(RegistryClient reader) {
        return reader.aliases("banking").path("aliases").path("production").path("version").asInt();
    }

    /** {@code correct} of {@code count} live labels for a version, as ingest reports them. */
    private void liveLabels(int version, long correct, long count) throws Exception {
        Instant start = Instant.now().minusSeconds(120);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(fixture.topics.metrics(), "banking", RecordSerdes.domainMetrics()
                    .serialize("metrics", DomainMetrics.newBuilder().setDomain("banking").setVersion(version)
                            .setCorrect(correct).setCount(count).setAccuracy((double) correct / count)
                            .setWindowStart(start).setWindowEnd(start.plusSeconds(60)).build()))).get();
        }
    }

    /** Headless Chromium with its profile, scratch and home files under the test's directory, never the system's. */
    private static WebDriver browser(Path dir) throws Exception {
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Path scratch = Files.createDirectories(dir.resolve("tmp"));
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1280,1000", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                // Chromium writes crash reports and settings under HOME and XDG folders too: keep them here.
                .withEnvironment(Map.of("TMPDIR", scratch.toAbsolutePath().toString(),
                        "HOME", scratch.toAbsolutePath().toString(),
                        "XDG_CONFIG_HOME", scratch.resolve("config").toAbsolutePath().toString(),
                        "XDG_CACHE_HOME", scratch.resolve("cache").toAbsolutePath().toString()))
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** The page as it looks, kept under target/ (and copied where {@code continua.console.screenshot} says). */
    private void screenshot() throws Exception {
        ((ChromeDriver) browser).executeScript("window.scrollTo(0, 0)");
        byte[] shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(fixture.dir.resolve("console.png"), shot);
        String wanted = System.getProperty("continua.console.screenshot");
        if (wanted != null) {
            Files.write(Path.of(wanted), shot);
        }
    }
}
