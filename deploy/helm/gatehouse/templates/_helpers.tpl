{{- define "gatehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gatehouse.fullname" -}}
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

{{/* The release's labels without a component: every object has them. */}}
{{- define "gatehouse.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The server's pods. The component keeps the migration Job's pods out of the Deployment's, PDB's and
     NetworkPolicy's selectors. */}}
{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "gatehouse.labels" -}}
{{ include "gatehouse.commonLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Secret the pods read their secret variables from. */}}
{{- define "gatehouse.secretName" -}}
{{- default (include "gatehouse.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "gatehouse.sqlite" -}}
{{- if eq .Values.database.kind "sqlite" -}}true{{- end -}}
{{- end -}}

{{/* PUBLIC_URL: the value, else https://<first ingress host>, else the Service's in-cluster URL. */}}
{{- define "gatehouse.publicUrl" -}}
{{- if .Values.publicUrl -}}
{{- .Values.publicUrl | trimSuffix "/" -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts -}}
{{- printf "https://%s" (index .Values.ingress.hosts 0).host -}}
{{- else -}}
{{- printf "http://%s.%s.svc:%v" (include "gatehouse.fullname" .) .Release.Namespace .Values.service.port -}}
{{- end -}}
{{- end -}}

{{/* The migration mode in force: sqlite (the one pod migrates at start), initContainer or job. */}}
{{- define "gatehouse.migrationMode" -}}
{{- if include "gatehouse.sqlite" . -}}sqlite{{- else -}}{{ .Values.migrations.mode }}{{- end -}}
{{- end -}}

{{/* Refusals: settings that cannot work, stopped at render time with what to do instead. */}}
{{- define "gatehouse.validate" -}}
{{- $sqlite := include "gatehouse.sqlite" . -}}
{{- if and $sqlite (gt (int .Values.replicaCount) 1) -}}
{{- fail (printf "database.kind=sqlite with replicaCount=%v: SQLite is one file on one volume and cannot be shared by several replicas. Use replicaCount=1, or database.kind=postgresql with secrets.databaseUrl (or secrets.existingSecret)." .Values.replicaCount) -}}
{{- end -}}
{{- if and $sqlite .Values.autoscaling.enabled -}}
{{- fail "database.kind=sqlite with autoscaling.enabled=true: SQLite serves one replica only, so it cannot be autoscaled. Use database.kind=postgresql." -}}
{{- end -}}
{{- if and (not $sqlite) (not .Values.secrets.existingSecret) (not .Values.secrets.databaseUrl) -}}
{{- fail "database.kind=postgresql needs DATABASE_URL: set secrets.databaseUrl, or secrets.existingSecret naming a Secret with a DATABASE_URL key." -}}
{{- end -}}
{{- if and .Values.redis.enabled (not .Values.secrets.existingSecret) (not .Values.secrets.redisUrl) -}}
{{- fail "redis.enabled=true needs REDIS_URL: set secrets.redisUrl, or secrets.existingSecret with a REDIS_URL key." -}}
{{- end -}}
{{- if and (not $sqlite) (eq .Values.migrations.mode "job") (not (or .Values.migrations.existingSecret .Values.secrets.existingSecret)) -}}
{{- fail "migrations.mode=job runs as a pre-install/pre-upgrade hook, before the chart's own Secret exists: set secrets.existingSecret (or migrations.existingSecret), or use migrations.mode=initContainer." -}}
{{- end -}}
{{- if and (not $sqlite) (eq .Values.migrations.mode "job") (eq .Values.updateStrategy "Recreate") -}}
{{- fail "updateStrategy=Recreate is for a migration the previous version cannot read, but a pre-upgrade Job migrates while the previous pods still serve: use migrations.mode=initContainer with Recreate (old pods stop, then the new pods migrate)." -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled=true needs metrics.enabled=true (Gatehouse serves /metrics only with METRICS=true)." -}}
{{- end -}}
{{- range $k, $v := .Values.env -}}
{{- if has $k (list "DATABASE_URL" "APP_SECRET" "SMTP_URL" "REDIS_URL" "METRICS_TOKEN" "GITHUB_CLIENT_SECRET" "GOOGLE_CLIENT_SECRET") -}}
{{- fail (printf "env.%s is a secret: put it in the Secret (secrets.* or secrets.existingSecret), not in env (a ConfigMap)." $k) -}}
{{- end -}}
{{- if has $k (list "PUBLIC_URL" "METRICS" "HOST" "PORT" "NODE_ENV") -}}
{{- fail (printf "env.%s is set by the chart (publicUrl, metrics.enabled; HOST/PORT/NODE_ENV are fixed): remove it from env." $k) -}}
{{- end -}}
{{- end -}}
{{- end -}}
