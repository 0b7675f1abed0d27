package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.ParseLimits;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateInspectorTest {
  static final String LLAMA3 =
      "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content ="
          + " '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+"
          + " message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content ="
          + " bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt"
          + " %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

  static final String CHATML =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' +"
          + " message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt"
          + " %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  static final String MISTRAL =
      "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') !="
          + " (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate"
          + " user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user'"
          + " %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] =="
          + " 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only"
          + " user and assistant roles are supported!') }}{% endif %}{% endfor %}";

  static final String QWEN_TOOLS =
      "{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}"
          + "{%- for message in messages[::-1] %}{%- if ns.multi_step_tool and message.role =="
          + " \"user\" %}{%- set ns.multi_step_tool = false %}{%- endif %}{%- endfor %}"
          + "{# a comment with __class__ in it is never rendered #}"
          + "{% raw %}{{ ''.__class__ }}{% endraw %}"
          + "{{- '<|im_start|>' + message.role + '\\n' + message.content | tojson }}"
          + "{{ strftime_now('%d %b %Y') }}";

  static List<String> rules(String template) {
    return TemplateInspector.inspect(template, "t").stream().map(Finding::rule).toList();
  }

  @Test
  void inspect_ordinaryChatTemplates_clean() {
    for (String t : List.of(LLAMA3, CHATML, MISTRAL, QWEN_TOOLS)) {
      assertThat(TemplateInspector.inspect(t, "chat_template")).as(t).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ x['__globals__'] }}",
        "{{ x[\"__cla\" ~ \"ss__\"] }}",
        "{{ x['__cla' + 'ss__'] }}",
        "{{ x['__cla' 'ss__'] }}",
        "{{ x['__ssalc__'|reverse] }}",
        "{{ x['__CLASS__'|lower] }}",
        "{{ x[['__cla','ss__']|join] }}",
        "{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
        "{{ x|attr('\\u005f\\u005fclass\\u005f\\u005f') }}",
        "{{ x|attr('\\137\\137class\\137\\137') }}",
        "{{ x|attr('\\N{LOW LINE}\\N{LOW LINE}class\\N{LOW LINE}\\N{LOW LINE}') }}",
        "{{ dict(__builtins__=1) }}",
        "{% set f = x.__init__ %}",
        "{{ __import__('os') }}"
      })
  void inspect_dunderInAnySpelling_critical(String template) {
    List<Finding> f = TemplateInspector.inspect(template, "t");
    assertThat(f)
        .as(template)
        .anySatisfy(
            x -> {
              assertThat(x.rule()).isEqualTo("template.ssti");
              assertThat(x.severity()).isEqualTo(Severity.CRITICAL);
            });
  }

  @Test
  void inspect_escapedUnderscores_obfuscationReported() {
    assertThat(rules("{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}"))
        .contains("template.obfuscated-string", "template.ssti");
  }

  @Test
  void inspect_ordinaryEscapes_notObfuscation() {
    assertThat(rules("{{ '\\n\\t\\'quoted\\'' }}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"lipsum", "cycler", "joiner", "self", "config", "request", "url_for"})
  void inspect_globalsThatReachPython_high(String global) {
    List<Finding> f = TemplateInspector.inspect("{{ " + global + ".x }}", "t");
    assertThat(f).extracting(Finding::rule).contains("template.python-global");
    assertThat(f).extracting(Finding::severity).contains(Severity.HIGH);
  }

  @Test
  void inspect_namespaceAsObject_flaggedButCallIsFine() {
    assertThat(rules("{{ namespace.__init__ }}")).contains("template.python-global");
    assertThat(rules("{% set ns = namespace(a=1) %}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"{{ x.os.popen('id').read() }}", "{{ x['os'] }}", "{{ x|attr('popen') }}"})
  void inspect_escapeNames_critical(String template) {
    assertThat(TemplateInspector.inspect(template, "t"))
        .anySatisfy(x -> assertThat(x.rule()).isEqualTo("template.ssti"));
  }

  @Test
  void inspect_roleNamedSystem_notFlagged() {
    assertThat(rules("{% if message['role'] == 'system' %}{{ system_message }}{% endif %}"))
        .isEmpty();
  }

  @Test
  void inspect_characterConstruction_high() {
    assertThat(rules("{{ x['%c%cclass%c%c'|format(95,95,95,95)] }}")).contains("template.ssti");
    assertThat(rules("{{ x[(()|select|string)[24]] }}")).contains("template.computed-attribute");
  }

  @Test
  void inspect_includeOfOtherTemplate_high() {
    List<Finding> f = TemplateInspector.inspect("{% include 'other.jinja' %}", "t");
    assertThat(f).extracting(Finding::rule).containsExactly("template.loads-template");
    assertThat(f.getFirst().severity()).isEqualTo(Severity.HIGH);
  }

  @Test
  void inspect_quotedCloseDelimiter_doesNotEndCode() {
    assertThat(rules("{{ '}}' ~ x.__class__ }}")).contains("template.ssti");
  }

  @Test
  void inspect_tooLarge_notScanned() {
    List<Finding> f =
        TemplateInspector.inspect(
            "{{ x }}".repeat(10), "t", ParseLimits.builder().maxTextBytes(20).build());
    assertThat(f).extracting(Finding::rule).containsExactly("template.too-large");
    assertThat(TemplateInspector.notScanned(f.getFirst())).isTrue();
  }

  @Test
  void inspect_location_namesKeyAndCharacter() {
    Finding f =
        TemplateInspector.inspect("ab{{ x.__class__ }}", "tokenizer.chat_template").getFirst();
    assertThat(f.location()).isEqualTo("tokenizer.chat_template char 7");
    assertThat(f.file()).isEmpty();
    assertThat(f.withFile("model.gguf").file()).isEqualTo("model.gguf");
  }

  /** Each class of bypass the attack review used; every one passed the pattern matcher. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{% set a = '__cla' %}{% set b = 'ss__' %}{{ x[a ~ b] }}",
        "{% set a = '_' * 2 %}{{ x|attr(a + 'class' + a) }}",
        "{% set n %}__class__{% endset %}{{ x|attr(n) }}",
        "{% set n %}{{ '_' }}{{ '_' }}globals{{ '_' }}{{ '_' }}{% endset %}{{ x[n] }}",
        "{% macro u() %}__{% endmacro %}{{ x|attr(u() ~ 'init' ~ u()) }}",
        "{{ x|attr('%sclass%s'|format('__', '__')) }}",
        "{{ x|attr('{0}{0}class{0}{0}'.format('_')) }}",
        "{{ x|attr('XXclassXX'|replace('X', '_')) }}",
        "{{ x|attr(['_', '_', 'class', '_', '_']|join) }}",
        "{{ x|attr('_'.join(['', '', 'class', '', ''])) }}",
        "{{ x|map(attribute='__class__')|list }}",
        "{{ x|map(attribute='a.__globals__')|list }}",
        "{{ x|map('attr', '__class__')|list }}",
        "{{ x|selectattr('__class__')|list }}",
        "{{ x|sort(attribute='__class__') }}",
        "{{ x|groupby('__class__') }}",
        "{{ x|attr('__ssalc__'|reverse) }}",
        "{{ x|attr('__CLASS__'|lower) }}",
        "{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
        "{% for p in ['__cla', 'ss__'] %}{% set ns.n = ns.n ~ p %}{% endfor %}{{ x|attr(ns.n) }}",
        "{{ x['ssalc__'[::-1] ~ '__'] }}",
        "{{ x.mro }}",
        "{{ x|attr('popen') }}",
        "{{ '{0.__globals__}'.format(x) }}"
      })
  void inspect_namesBuiltAtRenderTime_critical(String template) {
    String t = "{% set ns = namespace(n='') %}" + template;
    assertThat(TemplateInspector.inspect(t, "t"))
        .as(template)
        .anySatisfy(
            x -> {
              assertThat(x.rule()).isEqualTo("template.ssti");
              assertThat(x.severity()).isEqualTo(Severity.CRITICAL);
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{{ x[messages[0].content] }}",
        "{{ x|attr(messages[0].content) }}",
        "{{ x|map(attribute=messages[0].content)|list }}",
        "{{ x|map(messages[0].content)|list }}",
        "{{ x[(x|string)[1]] }}",
        "{{ messages[0].content.format(x) }}"
      })
  void inspect_nameComputedFromData_high(String template) {
    assertThat(rules(template)).as(template).contains("template.computed-attribute");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{{ {'a': {'b': 1}} ~ x.__class__ }}",
        "{{ '}}' ~ x.__class__ }}",
        "{{ \"%}\" ~ x.__class__ }}",
        "{{ f({'k': '}}'}).__class__ }}",
        "{% set d = {'a': {'b': x.__class__}} %}",
        "{#- comment -#}{{ x.__class__ }}",
        "{% raw %}{{ safe }}{% endraw %}{{ x.__class__ }}"
      })
  void inspect_lexerCornerCases_stillSeen(String template) {
    assertThat(rules(template)).as(template).contains("template.ssti");
  }

  @Test
  void inspect_rawBlockText_notCode() {
    assertThat(rules("{% raw %}{{ x.__class__ }}{% endraw %}")).doesNotContain("template.ssti");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{{ x ",
        "{{ 'unclosed }}",
        "{% for x in y %}",
        "{% frobnicate %}",
        "{{ x) }}",
        "{# never closed",
        "{% raw %} never closed",
        "{{ '\\xZZ' }}",
        "{{ x | }}"
      })
  void inspect_unparseable_highNeverClean(String template) {
    List<Finding> f = TemplateInspector.inspect(template, "t");
    assertThat(f).extracting(Finding::rule).contains("template.unparseable");
    assertThat(f).allSatisfy(x -> assertThat(x.severity().atLeast(Severity.HIGH)).isTrue());
    assertThat(TemplateInspector.notScanned(f.getFirst())).isTrue();
  }

  @Test
  void inspect_hundredThousandParentheses_boundedNotStackOverflow() {
    String t = "{{ " + "(".repeat(100_000) + "1" + ")".repeat(100_000) + " }}";
    assertThat(rules(t)).containsExactly("template.unparseable");
  }

  @Test
  void inspect_deepStatementNesting_bounded() {
    String t = "{% if a %}".repeat(10_000) + "{% endif %}".repeat(10_000);
    assertThat(rules(t)).containsExactly("template.unparseable");
  }

  @Test
  void inspect_tokenBudget_unparseable() {
    List<Finding> f =
        TemplateInspector.inspect(
            "{{ a }}".repeat(100),
            "t",
            ParseLimits.defaults(),
            new TemplateInspector.Budget(50, 100, 1_000_000));
    assertThat(f).extracting(Finding::rule).containsExactly("template.unparseable");
  }

  @Test
  void inspect_stepBudget_tooComplex() {
    String t = "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}";
    List<Finding> f =
        TemplateInspector.inspect(
            t, "t", ParseLimits.defaults(), new TemplateInspector.Budget(1_000, 100, 1_000));
    assertThat(f).extracting(Finding::rule).containsExactly("template.too-complex");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{{ cycler.__init__ }}",
        "{{ joiner() }}",
        "{{ lipsum }}",
        "{{ range.__self__ }}",
        "{{ x|attr(range) }}",
        "{{ namespace.x }}",
        "{{ dict }}"
      })
  void inspect_globalsObjects_flagged(String template) {
    assertThat(rules(template)).as(template).contains("template.python-global");
  }

  @Test
  void inspect_ordinaryGlobalUse_clean() {
    assertThat(
            rules(
                "{% set ns = namespace(a=1) %}{% set ns.a = 2 %}{{ ns.a }}"
                    + "{% for i in range(3) %}{{ i }}{% endfor %}{{ dict(a=1).a }}"
                    + "{{ messages|map(attribute='content')|join(' ') }}"
                    + "{% for k, v in tool.items() %}{{ tool[k] }}{% endfor %}"))
        .isEmpty();
  }
}
