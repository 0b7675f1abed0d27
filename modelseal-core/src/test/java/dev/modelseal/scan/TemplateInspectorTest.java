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
        .contains("template.obfuscated-string", "template.attr-filter", "template.ssti");
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
    assertThat(rules("{{ x['%c%c'|format(95,95)] }}")).contains("template.char-construction");
    assertThat(rules("{{ (()|select|string)[24] }}")).contains("template.char-construction");
  }

  @Test
  void inspect_includeOfOtherTemplate_medium() {
    List<Finding> f = TemplateInspector.inspect("{% include 'other.jinja' %}", "t");
    assertThat(f).extracting(Finding::rule).containsExactly("template.loads-template");
    assertThat(f.getFirst().severity()).isEqualTo(Severity.MEDIUM);
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
}
