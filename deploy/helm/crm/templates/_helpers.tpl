{{/*
Names
*/}}
{{- define "crm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "crm.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a component's objects: crm.componentName (dict "root" $ "name" "leads") */}}
{{- define "crm.componentName" -}}
{{- printf "%s-%s" (include "crm.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Labels
*/}}
{{- define "crm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "crm.labels" -}}
helm.sh/chart: {{ include "crm.chart" . }}
{{ include "crm.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: crm
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* crm.componentSelectorLabels (dict "root" $ "name" "leads") */}}
{{- define "crm.componentSelectorLabels" -}}
{{ include "crm.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "crm.componentLabels" -}}
{{ include "crm.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Common metadata.annotations block (empty when there are none) */}}
{{- define "crm.annotations" -}}
{{- $annotations := merge (deepCopy (default dict .extra)) (deepCopy .root.Values.commonAnnotations) -}}
{{- if $annotations -}}
annotations:
  {{- toYaml $annotations | nindent 2 }}
{{- end -}}
{{- end -}}

{{/*
Components
*/}}
{{/* Ordered list of all components; gateway is the HTTP one, the others speak gRPC. */}}
{{- define "crm.componentNames" -}}
{{- list "identity" "leads" "sales" "support" "marketing" "analytics" "gateway" | toJson -}}
{{- end -}}

{{/* The six gRPC services (not the gateway). */}}
{{- define "crm.grpcServiceNames" -}}
{{- without (include "crm.componentNames" . | fromJsonArray) "gateway" | toJson -}}
{{- end -}}

{{/*
Effective settings of one component: serviceDefaults deep-merged with
services.<name> (the latter wins). Returns YAML; use with fromYaml.
Usage: include "crm.componentValues" (dict "root" $ "name" "leads") | fromYaml
*/}}
{{- define "crm.componentValues" -}}
{{- $own := default dict (get .root.Values.services .name) -}}
{{- $merged := mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy $own) -}}
{{- $_ := set $merged "grpc" (ne .name "gateway") -}}
{{- toYaml $merged -}}
{{- end -}}

{{/*
Image reference; pass dict "root" $ "override" <image override map or nil>
*/}}
{{- define "crm.image" -}}
{{- $img := deepCopy .root.Values.image -}}
{{- range $k, $v := (default dict .override) }}
{{- if $v }}{{ $_ := set $img $k $v }}{{ end }}
{{- end }}
{{- $repo := $img.repository -}}
{{- if $img.registry }}{{ $repo = printf "%s/%s" $img.registry $img.repository }}{{ end -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $repo $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion $img.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "crm.imagePullPolicy" -}}
{{- $override := default dict .override -}}
{{- default .root.Values.image.pullPolicy $override.pullPolicy -}}
{{- end -}}

{{- define "crm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "crm.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Configuration
*/}}
{{/* Non-secret environment (ConfigMap data). */}}
{{- define "crm.configData" -}}
{{- $fullname := include "crm.fullname" . -}}
{{- $data := dict
  "CRM_LOG_LEVEL" .Values.config.logLevel
  "CRM_GRPC_PORT" (toString .Values.config.grpcPort)
  "CRM_HTTP_PORT" (toString .Values.config.httpPort)
  "CRM_METRICS_PORT" (toString .Values.config.metricsPort)
  "CRM_COOKIE_SECURE" (toString .Values.config.cookieSecure)
-}}
{{- with .Values.config.rateLimitStorage }}
{{- $_ := set $data "CRM_RATE_LIMIT_STORAGE" . -}}
{{- end }}
{{- range $name := include "crm.grpcServiceNames" . | fromJsonArray }}
{{- $_ := set $data (printf "CRM_%s_ADDR" (upper $name)) (printf "%s-%s:%v" $fullname $name $.Values.config.grpcPort) -}}
{{- end }}
{{- range $k, $v := .Values.config.extraEnv }}
{{- $_ := set $data $k (toString $v) -}}
{{- end }}
{{- toYaml $data -}}
{{- end -}}

{{- define "crm.databaseURL" -}}
{{- $pg := .Values.postgresql -}}
{{- $password := ternary "$(CRM_POSTGRESQL_PASSWORD)" ($pg.password | urlquery | replace "+" "%20") (ne $pg.existingSecret "") -}}
{{- $auth := $pg.user | urlquery -}}
{{- if $password }}{{ $auth = printf "%s:%s" $auth $password }}{{ end -}}
{{- printf "postgresql+psycopg://%s@%s:%v/%s" $auth $pg.host $pg.port $pg.database -}}
{{- with $pg.sslmode }}?sslmode={{ . }}{{ end -}}
{{- end -}}

{{- define "crm.busURL" -}}
{{- $mq := .Values.rabbitmq -}}
{{- $password := ternary "$(CRM_RABBITMQ_PASSWORD)" ($mq.password | urlquery | replace "+" "%20") (ne $mq.existingSecret "") -}}
{{- $auth := $mq.user | urlquery -}}
{{- if $password }}{{ $auth = printf "%s:%s" $auth $password }}{{ end -}}
{{- printf "amqp://%s@%s:%v/%s" $auth $mq.host $mq.port ($mq.vhost | urlquery) -}}
{{- end -}}

{{/* Token key: from values, else kept from the live release Secret, else random. */}}
{{- define "crm.tokenKey" -}}
{{- if .Values.auth.tokenKey -}}
{{- .Values.auth.tokenKey -}}
{{- else -}}
{{- $live := lookup "v1" "Secret" .Release.Namespace (include "crm.fullname" .) -}}
{{- if and $live $live.data (hasKey $live.data "CRM_TOKEN_KEY") -}}
{{- index $live.data "CRM_TOKEN_KEY" | b64dec -}}
{{- else -}}
{{- randAlphaNum 64 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Whether the chart must create its own Secret. */}}
{{- define "crm.createSecret" -}}
{{- if not (and .Values.postgresql.existingSecret .Values.rabbitmq.existingSecret .Values.auth.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/* Secret data (plain text, for stringData). Values held in existing Secrets are left out. */}}
{{- define "crm.secretData" -}}
{{- $data := dict -}}
{{- if not .Values.postgresql.existingSecret }}{{ $_ := set $data "CRM_DATABASE_URL" (include "crm.databaseURL" .) }}{{ end -}}
{{- if not .Values.rabbitmq.existingSecret }}{{ $_ := set $data "CRM_BUS_URL" (include "crm.busURL" .) }}{{ end -}}
{{- if not .Values.auth.existingSecret }}{{ $_ := set $data "CRM_TOKEN_KEY" (include "crm.tokenKey" .) }}{{ end -}}
{{- if $data }}{{ toYaml $data }}{{ end -}}
{{- end -}}

{{/*
Container env entries for values held in existing Secrets. Kubernetes
expands $(VAR) from variables defined earlier in the list.
*/}}
{{- define "crm.secretEnv" -}}
{{- with .Values.postgresql.existingSecret }}
- name: CRM_POSTGRESQL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.postgresql.existingSecretPasswordKey }}
- name: CRM_DATABASE_URL
  value: {{ include "crm.databaseURL" $ | quote }}
{{- end }}
{{- with .Values.rabbitmq.existingSecret }}
- name: CRM_RABBITMQ_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.rabbitmq.existingSecretPasswordKey }}
- name: CRM_BUS_URL
  value: {{ include "crm.busURL" $ | quote }}
{{- end }}
{{- with .Values.auth.existingSecret }}
- name: CRM_TOKEN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.auth.existingSecretKey }}
{{- end }}
{{- end -}}

{{/* Checksum of the configuration, so pods roll when it changes (generated token keys excluded). */}}
{{- define "crm.configChecksum" -}}
{{- list (include "crm.configData" .) .Values.postgresql .Values.rabbitmq .Values.auth | toJson | sha256sum -}}
{{- end -}}

{{/* Pod-level settings shared by components and the migration Job. */}}
{{- define "crm.podSecurity" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{- define "crm.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolumeSizeLimit }}
{{- end -}}

{{- define "crm.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
