{{- define "onward.name" -}}onward{{- end -}}

{{- define "onward.fullname" -}}
{{- if eq .Release.Name "onward" -}}onward{{- else -}}{{ printf "%s-onward" .Release.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "onward.labels" -}}
app.kubernetes.io/name: onward
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "onward.selector" -}}
app.kubernetes.io/name: onward
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "onward.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "onward.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{- define "onward.postgres" -}}
{{- if or .Values.database.url .Values.database.existingSecret -}}true{{- end -}}
{{- end -}}
