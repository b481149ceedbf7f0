package org.rollbackjobs.jobs.config;

import org.springframework.aop.scope.ScopedProxyFactoryBean;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Step- and job-scoped beans are proxies made by a {@link ScopedProxyFactoryBean}. After the start, Spring's
 * {@code @EventListener} detection asks every bean for its type, lazy ones too (spring-framework#22293), and a
 * factory bean that does not declare the type of what it makes is created to answer: every start of every command
 * generated the proxy classes of all scoped beans of all jobs (about 0.04 s of a history). Declared here, from the
 * target bean's definition, so that a proxy is made when a job uses it.
 */
final class ScopedProxiesTyped implements BeanFactoryPostProcessor {

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    for (String name : beanFactory.getBeanDefinitionNames()) {
      BeanDefinition definition = beanFactory.getBeanDefinition(name);
      if (ScopedProxyFactoryBean.class.getName().equals(definition.getBeanClassName())
          && definition.getAttribute(FactoryBean.OBJECT_TYPE_ATTRIBUTE) == null) {
        Class<?> type = beanFactory.getType(ScopedProxyUtils.getTargetBeanName(name), false);
        if (type != null) {
          definition.setAttribute(FactoryBean.OBJECT_TYPE_ATTRIBUTE, type);
        }
      }
    }
  }
}
