package org.rollbackjobs.jobs.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.BadInputException;

/** System files: the issue's example parses; every kind of mistake is named with its line and key. */
class SystemFilesTest {
  static final String EXAMPLE = """
      name: support-search
      datasets:
        - table: shop.transactions
      features:
        - name: customer_features
          source: shop.transactions
          pipeline: customer_txn_features
          target: shop.customer_features
      indexes:
        - name: docs_search
          source: kb.documents
          id-column: id
          text-column: body
          embedding: all-minilm-l6-v2-q
      models:
        - name: churn-model
          trains-on: [shop.customer_features]
          trigger:
            webhook: http://127.0.0.1:8099/retrain
      """;

  private static SystemDefinition parse(String yaml) {
    return SystemFiles.parse(Path.of("s.yml"), yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theIssueExampleParses() {
    SystemDefinition system = parse(EXAMPLE);
    assertThat(system.name()).isEqualTo("support-search");
    assertThat(system.datasets()).extracting(DatasetSpec::table).containsExactly("shop.transactions");
    assertThat(system.feature("customer_features").target()).isEqualTo("shop.customer_features");
    IndexSpec index = system.index("docs_search");
    assertThat(index.schema()).isEqualTo("public");
    assertThat(index.textColumn()).isEqualTo("body");
    assertThat(system.model("churn-model").trigger().webhook()).hasToString("http://127.0.0.1:8099/retrain");
    assertThat(system.sha256()).hasSize(64);
  }

  @Test
  void theExampleShippedInTheRepositoryParses() {
    SystemDefinition system = SystemFiles.read(Path.of("examples/systems/support-search.yml"));
    assertThat(system.name()).isEqualTo("support-search");
    assertThat(system.models()).isNotEmpty();
  }

  @Test
  void aTypoInARequiredKeyIsNamedAsTheUnknownKeyOnItsOwnLine() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("  - table: shop.transactions", "  - tabel: shop.transactions")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("datasets[0].tabel")
        .hasMessageContaining("unknown key")
        .hasMessageContaining("table");
  }

  @Test
  void aTypoInANestedKeyIsNamedOnItsOwnLine() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("      webhook: http", "      webhok: http")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 19")
        .hasMessageContaining("models[0].trigger.webhok")
        .hasMessageContaining("unknown key");
  }

  @Test
  void anUnknownKeyIsNamedWithItsLineAndTheValidKeys() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("    pipeline: customer_txn_features",
        "    pipeline: customer_txn_features\n    pipline_version: 2")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 8")
        .hasMessageContaining("features[0].pipline_version")
        .hasMessageContaining("unknown key")
        .hasMessageContaining("pipeline");
  }

  @Test
  void aMissingKeyIsNamed() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("    target: shop.customer_features\n", "")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("features[0]")
        .hasMessageContaining("missing key 'target'");
  }

  @Test
  void aBadTableNameIsNamedWithItsItem() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("- table: shop.transactions", "- table: transactions")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("datasets[0]")
        .hasMessageContaining("'transactions' is not a table name NS.TABLE");
  }

  @Test
  void aModelTrainingOnAnUndeclaredTableIsRefused() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("[shop.customer_features]", "[shop.customer_features, shop.other]")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("models[0].trains-on[1]: shop.other is neither a dataset nor a feature table")
        .hasMessageContaining("valid: shop.transactions, shop.customer_features");
  }

  @Test
  void duplicateNamesAreRefused() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("datasets:\n  - table: shop.transactions",
        "datasets:\n  - table: shop.transactions\n  - table: shop.transactions")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("duplicate datasets[1].table shop.transactions");
  }

  @Test
  void aWebhookMustBeAnHttpUrl() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("http://127.0.0.1:8099/retrain", "ftp://host/x")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("models[0].trigger")
        .hasMessageContaining("'ftp://host/x' is not an http(s) URL");
  }

  @Test
  void airflowCredentialsComeInPairs() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("    webhook: http://127.0.0.1:8099/retrain",
        "    airflow:\n        url: http://airflow:8080\n        dag: retrain\n        username-env: AF_USER")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("username-env and password-env");
  }

  @Test
  void wrongValueKindsAndBrokenYamlAreExplained() {
    assertThatThrownBy(() -> parse(EXAMPLE.replace("datasets:\n  - table: shop.transactions", "datasets: shop.transactions")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("datasets");
    assertThatThrownBy(() -> parse("name: x\n  bad: [unclosed\n"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> parse("name: x\n"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("declares no component");
  }

  static final String REGISTRY = EXAMPLE.replace("""
          trigger:
            webhook: http://127.0.0.1:8099/retrain
      """, """
          registry:
            mlflow:
              url: http://mlflow:5000
              name: churn
              alias: champion
              token-env: MLFLOW_TOKEN
      prompts:
        - name: answer
          registry:
            mlflow: {url: "https://mlflow.example.com/", name: support-answer, alias: production}
      """);

  @Test
  void modelsAndPromptsMayDeclareAnMlflowRegistryAlias() {
    SystemDefinition system = parse(REGISTRY);
    RegistrySpec.Mlflow model = system.model("churn-model").registry().mlflow();
    assertThat(model.url()).hasToString("http://mlflow:5000");
    assertThat(model.name()).isEqualTo("churn");
    assertThat(model.alias()).isEqualTo("champion");
    assertThat(model.tokenEnv()).isEqualTo("MLFLOW_TOKEN");
    RegistrySpec.Mlflow prompt = system.prompt("answer").registry().mlflow();
    assertThat(prompt.base()).isEqualTo("https://mlflow.example.com");
    assertThat(prompt.tokenEnv()).isNull();
    assertThat(parse(EXAMPLE).model("churn-model").hasRegistry()).isFalse();
    assertThat(parse(EXAMPLE).prompts()).isEmpty();
  }

  @Test
  void badRegistryConfigurationIsNamedWithItsLineAndKey() {
    assertThatThrownBy(() -> parse(REGISTRY.replace("alias: champion", "alias: latest")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 22")
        .hasMessageContaining("models[0].registry.mlflow: alias: 'latest' is reserved by MLflow");
    assertThatThrownBy(() -> parse(REGISTRY.replace("token-env: MLFLOW_TOKEN", "token-env: s3cr3t-t0ken!")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 23")
        .hasMessageContaining("models[0].registry.mlflow: token-env:")
        .hasMessageContaining("not an environment variable name");
    assertThatThrownBy(() -> parse(REGISTRY.replace("url: http://mlflow:5000", "url: http://bob:pw@mlflow:5000")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 20")
        .hasMessageContaining("models[0].registry.mlflow: url:")
        .hasMessageContaining("credentials in the URL")
        .hasMessageNotContaining("pw");
    assertThatThrownBy(() -> parse(REGISTRY.replace("        name: churn\n", "")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("models[0].registry.mlflow")
        .hasMessageContaining("missing key 'name'");
    assertThatThrownBy(() -> parse(REGISTRY.replace("token-env: MLFLOW_TOKEN", "token: abc")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 23")
        .hasMessageContaining("models[0].registry.mlflow.token")
        .hasMessageContaining("unknown key")
        .hasMessageContaining("token-env");
    assertThatThrownBy(() -> parse(REGISTRY.replace("mlflow:\n        url: http://mlflow:5000", "mlfow:\n        url: http://mlflow:5000")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 19")
        .hasMessageContaining("models[0].registry.mlfow")
        .hasMessageContaining("unknown key");
    assertThatThrownBy(() -> parse(REGISTRY.replace("url: \"https://mlflow.example.com/\"", "url: ftp://x")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("line 27")
        .hasMessageContaining("prompts[0].registry.mlflow: url: 'ftp://x' is not an http(s) URL");
    assertThatThrownBy(() -> parse(REGISTRY.replace("  - name: answer\n    registry:\n      mlflow: {url: \"https://mlflow.example.com/\", name: support-answer, alias: production}\n", "  - name: answer\n")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("prompts[0]")
        .hasMessageContaining("missing key 'registry'");
  }
}
