{{/*
Per-component objects. Every template receives
  dict "root" $ "name" <component> "svc" <effective component values>
and is rendered once per enabled component by components.yaml.
*/}}

{{- define "crm.component.deployment" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $override := $svc.image -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "crm.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "crm.componentLabels" . | nindent 4 }}
  {{- with include "crm.annotations" (dict "root" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  {{- if not $svc.autoscaling.enabled }}
  replicas: {{ $svc.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "crm.componentSelectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "crm.componentLabels" . | nindent 8 }}
        {{- with $svc.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include "crm.configChecksum" $root }}
        {{- with $svc.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "crm.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $root.Values.serviceAccount.automountServiceAccountToken }}
      terminationGracePeriodSeconds: {{ $svc.terminationGracePeriodSeconds }}
      {{- with $svc.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- include "crm.podSecurity" $root | trim | nindent 6 }}
      containers:
        - name: {{ .name }}
          image: {{ include "crm.image" (dict "root" $root "override" $override) | quote }}
          imagePullPolicy: {{ include "crm.imagePullPolicy" (dict "root" $root "override" $override) }}
          args: ["serve", {{ .name | quote }}]
          ports:
            {{- if $svc.grpc }}
            - name: grpc
              containerPort: {{ $root.Values.config.grpcPort }}
              protocol: TCP
            {{- else }}
            - name: http
              containerPort: {{ $root.Values.config.httpPort }}
              protocol: TCP
            {{- end }}
            - name: metrics
              containerPort: {{ $root.Values.config.metricsPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "crm.fullname" $root }}
            {{- if include "crm.createSecret" $root }}
            - secretRef:
                name: {{ include "crm.fullname" $root }}
            {{- end }}
          {{- $secretEnv := include "crm.secretEnv" $root | trim }}
          {{- if or $secretEnv $svc.env }}
          env:
            {{- with $secretEnv }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- range $k, $v := $svc.env }}
            - name: {{ $k }}
              value: {{ toString $v | quote }}
            {{- end }}
          {{- end }}
          {{- if $svc.grpc }}
          {{- /* Alive: the process answers (health check name "liveness"). Ready: its database and broker answer too
               (the overall status). A dependency's outage makes pods unready; it does not restart them (ADR 0028). */}}
          {{- $alive := dict "grpc" (dict "port" (int $root.Values.config.grpcPort) "service" "liveness") }}
          {{- $ready := dict "grpc" (dict "port" (int $root.Values.config.grpcPort)) }}
          startupProbe:
            {{- toYaml (merge (deepCopy $svc.startupProbe) $alive) | nindent 12 }}
          livenessProbe:
            {{- toYaml (merge (deepCopy $svc.livenessProbe) $alive) | nindent 12 }}
          readinessProbe:
            {{- toYaml (merge (deepCopy $svc.readinessProbe) $ready) | nindent 12 }}
          {{- else }}
          startupProbe:
            {{- toYaml (merge (deepCopy $svc.startupProbe) (dict "httpGet" (dict "path" "/healthz" "port" "http"))) | nindent 12 }}
          livenessProbe:
            {{- toYaml (merge (deepCopy $svc.livenessProbe) (dict "httpGet" (dict "path" "/healthz" "port" "http"))) | nindent 12 }}
          readinessProbe:
            {{- toYaml (merge (deepCopy $svc.readinessProbe) (dict "httpGet" (dict "path" "/readyz" "port" "http"))) | nindent 12 }}
          {{- end }}
          {{- with $svc.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            {{- include "crm.tmpVolumeMount" $root | nindent 12 }}
      volumes:
        {{- include "crm.tmpVolume" $root | nindent 8 }}
      {{- with $svc.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $svc.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $svc.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $svc.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{- define "crm.component.service" -}}
{{- $root := .root -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "crm.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "crm.componentLabels" . | nindent 4 }}
  {{- with include "crm.annotations" (dict "root" $root "extra" .svc.service.annotations) }}{{ . | nindent 2 }}{{ end }}
spec:
  type: {{ .svc.service.type }}
  selector:
    {{- include "crm.componentSelectorLabels" . | nindent 4 }}
  ports:
    {{- if .svc.grpc }}
    - name: grpc
      port: {{ $root.Values.config.grpcPort }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
    {{- else }}
    - name: http
      port: {{ $root.Values.config.httpPort }}
      targetPort: http
      protocol: TCP
      appProtocol: http
    {{- end }}
    - name: metrics
      port: {{ $root.Values.config.metricsPort }}
      targetPort: metrics
      protocol: TCP
      appProtocol: http
{{- end -}}

{{- define "crm.component.hpa" -}}
{{- $root := .root -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "crm.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "crm.componentLabels" . | nindent 4 }}
  {{- with include "crm.annotations" (dict "root" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "crm.componentName" . }}
  minReplicas: {{ .svc.autoscaling.minReplicas }}
  maxReplicas: {{ .svc.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .svc.autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}

{{- define "crm.component.pdb" -}}
{{- $root := .root -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "crm.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "crm.componentLabels" . | nindent 4 }}
  {{- with include "crm.annotations" (dict "root" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  minAvailable: {{ .svc.pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "crm.componentSelectorLabels" . | nindent 6 }}
{{- end -}}

{{- define "crm.component.serviceMonitor" -}}
{{- $root := .root -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "crm.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "crm.componentLabels" . | nindent 4 }}
    {{- with .svc.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with include "crm.annotations" (dict "root" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  selector:
    matchLabels:
      {{- include "crm.componentSelectorLabels" . | nindent 6 }}
  namespaceSelector:
    matchNames:
      - {{ $root.Release.Namespace }}
  endpoints:
    - port: metrics
      path: /metrics
      interval: {{ .svc.serviceMonitor.interval }}
      scrapeTimeout: {{ .svc.serviceMonitor.scrapeTimeout }}
{{- end -}}

{{- define "crm.component.networkPolicy" -}}
{{- $root := .root -}}
{{- $np := $root.Values.networkPolicy -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "crm.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "crm.componentLabels" . | nindent 4 }}
  {{- with include "crm.annotations" (dict "root" $root) }}{{ . | nindent 2 }}{{ end }}
spec:
  podSelector:
    matchLabels:
      {{- include "crm.componentSelectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
  ingress:
    {{- if .svc.grpc }}
    # gRPC only from pods of this release.
    - from:
        - podSelector:
            matchLabels:
              {{- include "crm.selectorLabels" $root | nindent 14 }}
      ports:
        - port: grpc
          protocol: TCP
    {{- else }}
    # The gateway is the public entry point.
    - ports:
        - port: http
          protocol: TCP
    {{- end }}
    # Metrics from the monitoring namespace(s).
    - from:
        {{- toYaml $np.metricsFrom | nindent 8 }}
      ports:
        - port: metrics
          protocol: TCP
{{- end -}}
