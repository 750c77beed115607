{{/*
Names, labels and the values that several templates derive from the same inputs.
*/}}

{{- define "tiergate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the release name alone when it already names the chart. */}}
{{- define "tiergate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tiergate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tiergate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tiergate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tiergate.labels" -}}
helm.sh/chart: {{ include "tiergate.chart" . }}
{{ include "tiergate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: tiergate
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "tiergate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tiergate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tiergate.configMapName" -}}
{{- printf "%s-config" (include "tiergate.fullname" .) }}
{{- end }}

{{- define "tiergate.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
The variables the gateway reads from a Secret (docs/api.md §3), in the order they are rendered.
*/}}
{{- define "tiergate.secretNames" -}}
{{- $names := list "GATEWAY_API_KEYS" "UPSTREAM_API_KEY" "INSTANT_API_KEY" "THINKING_API_KEY" "EMBEDDINGS_API_KEY" "REDIS_URL" }}
{{- range $name := keys .Values.secrets.env | sortAlpha }}
{{- $names = append $names $name }}
{{- end }}
{{- toYaml $names }}
{{- end }}

{{/* The Secret every key variable is read from: secrets.existingSecret, else the release's. */}}
{{- define "tiergate.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "tiergate.fullname" .) }}
{{- end }}

{{/*
The chart's own Secret data: every secret value given inline, by variable name. Empty when
nothing is given, and then no Secret is rendered.
*/}}
{{- define "tiergate.secretData" -}}
{{- $s := .Values.secrets }}
{{- $data := dict }}
{{- if $s.gatewayApiKeys }}{{ $_ := set $data "GATEWAY_API_KEYS" (join "," $s.gatewayApiKeys) }}{{ end }}
{{- if $s.upstreamApiKey }}{{ $_ := set $data "UPSTREAM_API_KEY" $s.upstreamApiKey }}{{ end }}
{{- if $s.instantApiKey }}{{ $_ := set $data "INSTANT_API_KEY" $s.instantApiKey }}{{ end }}
{{- if $s.thinkingApiKey }}{{ $_ := set $data "THINKING_API_KEY" $s.thinkingApiKey }}{{ end }}
{{- if $s.embeddingsApiKey }}{{ $_ := set $data "EMBEDDINGS_API_KEY" $s.embeddingsApiKey }}{{ end }}
{{- if and .Values.redis.url (not .Values.redis.existingSecret) }}{{ $_ := set $data "REDIS_URL" .Values.redis.url }}{{ end }}
{{- range $name, $value := $s.env }}
{{- if $value }}{{ $_ := set $data $name (toString $value) }}{{ end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
docs/api.md §9 timings from config.server.shutdown (defaults as in src/config/config.constants.ts),
and the terminationGracePeriodSeconds that covers them.
*/}}
{{- define "tiergate.shutdown" -}}
{{- $config := .Values.config | default dict }}
{{- $drainMs := dig "server" "shutdown" "drain_delay_ms" 5000 $config | int }}
{{- $graceMs := dig "server" "shutdown" "grace_period_ms" 30000 $config | int }}
{{- $preStop := .Values.shutdown.preStopSleepSeconds | int }}
{{- $needed := add $preStop (div (add $drainMs $graceMs 999) 1000) }}
{{- $seconds := add $needed (.Values.shutdown.marginSeconds | int) }}
{{- if not (kindIs "invalid" .Values.shutdown.terminationGracePeriodSeconds) }}
{{- $seconds = .Values.shutdown.terminationGracePeriodSeconds | int }}
{{- if lt $seconds $needed }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds: %d s is shorter than preStopSleepSeconds + drain_delay_ms + grace_period_ms = %d s; in-flight requests would be killed" $seconds $needed) }}
{{- end }}
{{- end }}
drainDelayMs: {{ $drainMs }}
gracePeriodMs: {{ $graceMs }}
preStopSleepSeconds: {{ $preStop }}
terminationGracePeriodSeconds: {{ $seconds }}
{{- end }}

{{/* Checks across values that values.schema.json cannot express. */}}
{{- define "tiergate.validate" -}}
{{- if and .Values.secrets.existingSecret (include "tiergate.secretData" . | fromYaml) }}
{{- fail "secrets: give the keys either inline (gatewayApiKeys, …, env values, redis.url) or in secrets.existingSecret, not both" }}
{{- end }}
{{- if and .Values.redis.url .Values.redis.existingSecret }}
{{- fail "redis: set either url or existingSecret, not both" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (.Values.autoscaling.maxReplicas | int) (.Values.autoscaling.minReplicas | int)) }}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not (kindIs "invalid" .Values.autoscaling.targetCPUUtilizationPercentage)) (not (dig "requests" "cpu" "" (.Values.resources | default dict))) }}
{{- fail "autoscaling.targetCPUUtilizationPercentage needs resources.requests.cpu: utilization is measured against it" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (kindIs "invalid" .Values.autoscaling.targetCPUUtilizationPercentage) (not .Values.autoscaling.inFlight.enabled) }}
{{- fail "autoscaling: enable at least one metric (targetCPUUtilizationPercentage or inFlight)" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (kindIs "invalid" .Values.podDisruptionBudget.maxUnavailable) (kindIs "invalid" .Values.podDisruptionBudget.minAvailable) }}
{{- fail "podDisruptionBudget: set maxUnavailable or minAvailable" }}
{{- end }}
{{- end }}

{{/* OTEL_RESOURCE_ATTRIBUTES: the pod's identity (from the downward API) plus otel.resourceAttributes. */}}
{{- define "tiergate.otelResourceAttributes" -}}
{{- $attributes := list "k8s.pod.name=$(POD_NAME)" "k8s.namespace.name=$(POD_NAMESPACE)" "k8s.node.name=$(NODE_NAME)" }}
{{- range $key, $value := .Values.otel.resourceAttributes }}
{{- $attributes = append $attributes (printf "%s=%v" $key $value) }}
{{- end }}
{{- join "," $attributes }}
{{- end }}
