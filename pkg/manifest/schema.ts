import type { CollectionTag, ParseOptions, ScalarTag, SchemaOptions, Tags } from 'yaml';

/**
 * How Helm and the API server read YAML: Go's gopkg.in/yaml.v2 under sigs.k8s.io/yaml,
 * which is YAML 1.1 with a few differences that matter for manifests:
 *
 * - `0644` is octal (420), `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `1_000` is 1000, as
 *   in YAML 1.1; and `0o17` is octal too (Go's ParseInt with base 0);
 * - timestamps (`2001-12-14`) and sexagesimal numbers (`22:22`) stay strings;
 * - a repeated key is not an error: the last one wins.
 *
 * Documents switchyard changes are read and printed with this schema, so that every value
 * it does not mean to change keeps the value the API server reads.
 */
export const KUBE_YAML: ParseOptions & SchemaOptions & { version: '1.1' } = {
  version: '1.1',
  uniqueKeys: false,
  customTags: (tags: Tags): Tags => [...tags.filter((t) => typeof t === 'string' || !goReadsAsString(t)), GO_OCTAL],
};

function goReadsAsString(tag: ScalarTag | CollectionTag): boolean {
  return tag.tag === 'tag:yaml.org,2002:timestamp' || ('format' in tag && tag.format === 'TIME');
}

/** `0o17`: read as Go reads it (15); printed back as written, since the node keeps its source. */
const GO_OCTAL: ScalarTag = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0o[0-7]+$/,
  resolve: (source: string) => {
    const sign = source.startsWith('-') ? -1 : 1;
    return sign * parseInt(source.replace(/^[-+]?0o/, ''), 8);
  },
};
