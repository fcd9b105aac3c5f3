{{/* The environment every Gatehouse container of the release gets (server, init container, migration Job). */}}
{{- define "gatehouse.env" -}}
- name: PUBLIC_URL
  value: {{ include "gatehouse.publicUrl" . | quote }}
{{- if .Values.metrics.enabled }}
- name: METRICS
  value: "true"
{{- end }}
{{- range $k, $v := .Values.env }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{- define "gatehouse.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/gatehouse
{{- end -}}

{{- define "gatehouse.tmpVolume" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
{{- end -}}
