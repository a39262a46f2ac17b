// The seed article's manifest (shared/seeds/000_…txt), exactly as printed there: a ClusterIP Service and
// its nginx pod. `kubectl apply -f` of it must print `service/nginx-service created` and `pod/nginx-pod created`.
export const SEED_MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: nginx-service
spec:
  selector:
    app: nginx
  ports:
    - protocol: TCP
      port: 80
      targetPort: 80
  type: ClusterIP
---
apiVersion: v1
kind: Pod
metadata:
  name: nginx-pod
  labels:
    app: nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.23
    ports:
    - containerPort: 80
`;
